package io.tweetstream.kafka;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

/**
 * SASL credentials as two plain settings, {@code KAFKA_SASL_USERNAME} and {@code KAFKA_SASL_PASSWORD},
 * for the mechanisms whose login module takes a user name and a password (PLAIN, SCRAM-SHA-256,
 * SCRAM-SHA-512): before Camel configures its components, they become the JAAS entry
 * {@code kafka.sasl-jaas-config} ({@code KAFKA_SASL_JAAS_CONFIG}) that camel-kafka and the app's own
 * clients read. Values without spaces or quotes are what an env file read both by a shell
 * ({@code set -a; . ./kafka.env}) and by {@code docker run --env-file} needs; a JAAS entry has both.
 * Neither value is ever part of a message.
 */
public class SaslLoginListener extends MainListenerSupport {

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent properties = main.getCamelContext().getPropertiesComponent();
        String username = property(properties, "kafka.sasl.username");
        String password = property(properties, "kafka.sasl.password");
        if (username.isEmpty() && password.isEmpty()) {
            return;
        }
        String entry = jaasEntry(property(properties, "kafka.sasl-mechanism"), username, password,
                !property(properties, "kafka.sasl-jaas-config").isEmpty());
        properties.addOverrideProperty("kafka.sasl-jaas-config", entry);
    }

    /**
     * The JAAS entry of Kafka's login module for the mechanism, with the credentials quoted as Kafka's
     * JAAS parser reads them (a quote or backslash escaped).
     */
    static String jaasEntry(String mechanism, String username, String password, boolean jaasConfigSet) {
        if (jaasConfigSet) {
            throw new IllegalStateException("KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD and KAFKA_SASL_JAAS_CONFIG are both"
                    + " set: use the user name and password, or the JAAS entry, not both");
        }
        if (username.isEmpty() || password.isEmpty()) {
            throw new IllegalStateException((username.isEmpty() ? "KAFKA_SASL_PASSWORD is set but KAFKA_SASL_USERNAME"
                    : "KAFKA_SASL_USERNAME is set but KAFKA_SASL_PASSWORD") + " is not: set both");
        }
        String module = switch (mechanism.toUpperCase(Locale.ROOT)) {
            case "PLAIN" -> "org.apache.kafka.common.security.plain.PlainLoginModule";
            case "SCRAM-SHA-256", "SCRAM-SHA-512" -> "org.apache.kafka.common.security.scram.ScramLoginModule";
            default -> throw new IllegalStateException("KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD need"
                    + " KAFKA_SASL_MECHANISM=PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (it is "
                    + (mechanism.isEmpty() ? "not set" : mechanism) + "); for other mechanisms set KAFKA_SASL_JAAS_CONFIG");
        };
        return module + " required username=" + quoted(username) + " password=" + quoted(password) + ";";
    }

    private static String quoted(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** The login module class named at the start of the JAAS entry (not a secret). */
    static String loginModule(String jaasEntry) {
        String entry = jaasEntry.strip();
        int end = 0;
        while (end < entry.length() && !Character.isWhitespace(entry.charAt(end))) {
            end++;
        }
        return entry.substring(0, end);
    }

    /** The mechanisms Kafka's own login modules serve; empty for other modules. */
    static Optional<List<String>> expectedMechanism(String jaasEntry) {
        String module = loginModule(jaasEntry);
        if (module.endsWith(".PlainLoginModule")) {
            return Optional.of(List.of("PLAIN"));
        }
        if (module.endsWith(".ScramLoginModule")) {
            return Optional.of(List.of("SCRAM-SHA-256", "SCRAM-SHA-512"));
        }
        if (module.endsWith(".OAuthBearerLoginModule")) {
            return Optional.of(List.of("OAUTHBEARER"));
        }
        return Optional.empty();
    }

    private static String property(PropertiesComponent properties, String key) {
        return properties.resolveProperty(key).map(String::strip).orElse("");
    }
}
