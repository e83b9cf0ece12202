package io.tweetstream.docs;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md lists every setting of application.properties by its environment variable
 * (the key in upper case, '.' and '-' turned into '_'), with its default and meaning, and lists no
 * variable the app does not read. Keys under {@code camel.} whose whole value is a {@code {{placeholder}}}
 * or a {@code #class:}/{@code #bean:} reference are wiring (they hand a setting to a Camel component)
 * and are not settings of their own.
 */
class ConfigurationDocTest {

    private static final Path PROPERTIES = Path.of("application.properties");
    private static final Path DOC = Path.of("docs/configuration.md");
    /** Variables the app reads outside application.properties. */
    private static final Set<String> OTHER_VARIABLES = Set.of("LOG_FORMAT", "CAMEL_COMPONENT_KAFKA_*");

    @Test
    void everySettingOfApplicationPropertiesIsDocumentedWithItsDefault() throws IOException {
        Map<String, String> settings = settings();
        Map<String, String[]> rows = rows();

        assertThat(settings).as("settings of application.properties").hasSizeGreaterThan(100);
        settings.forEach((variable, value) -> {
            assertThat(rows).as("docs/configuration.md has a row for %s", variable).containsKey(variable);
            String[] row = rows.get(variable);
            assertThat(row[1]).as("default of %s", variable).isNotBlank();
            assertThat(row[2]).as("meaning of %s", variable).isNotBlank();
            if (value.isEmpty()) {
                assertThat(row[1]).as("%s is empty by default, which its row says in *(...)*", variable).startsWith("*(");
            }
        });
    }

    @Test
    void everyDocumentedVariableIsReadByTheApp() throws IOException {
        Set<String> known = new java.util.TreeSet<>(settings().keySet());
        known.addAll(OTHER_VARIABLES);
        assertThat(rows().keySet()).allSatisfy(variable -> assertThat(known)
                .as("%s of docs/configuration.md is a setting of application.properties", variable).contains(variable));
    }

    @Test
    void wiringIsToldApartFromSettings() {
        assertThat(isWiring("camel.component.kafka.brokers", "{{kafka.brokers}}")).isTrue();
        assertThat(isWiring("camel.component.kafka.kafka-client-factory", "#class:io.tweetstream.kafka.MeteredKafkaClientFactory")).isTrue();
        assertThat(isWiring("camel.server.port", "8080")).isFalse();
        assertThat(isWiring("kafka.ssl-key-password", "{{kafka.ssl-keystore-password}}")).isFalse();
        assertThat(isWiring("kafka.producer.transactional-id", "tweetstream-{{tweets.source}}")).isFalse();
        assertThat(variable("kafka.embedded.data-dir")).isEqualTo("KAFKA_EMBEDDED_DATA_DIR");
    }

    /** The settings of application.properties: variable to value. */
    private static Map<String, String> settings() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(PROPERTIES, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        Map<String, String> settings = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            String value = properties.getProperty(key).strip();
            if (!isWiring(key, value)) {
                settings.put(variable(key), value);
            }
        }
        return settings;
    }

    static boolean isWiring(String key, String value) {
        return key.startsWith("camel.") && (value.matches("\\{\\{[^}]+}}") || value.startsWith("#"));
    }

    static String variable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The table rows of docs/configuration.md whose first cell is one variable: variable to its cells. */
    private static Map<String, String[]> rows() throws IOException {
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
            if (line.startsWith("| `")) {
                String[] cells = line.substring(1, line.length() - 1).split(" \\| ", 3);
                String first = cells[0].strip();
                if (first.matches("`[A-Z0-9_*]+`") && cells.length == 3) {
                    assertThat(rows).as("one row for %s", first).doesNotContainKey(first.replace("`", ""));
                    rows.put(first.replace("`", ""), new String[] {first, cells[1].strip(), cells[2].strip()});
                }
            }
        }
        return rows;
    }
}
