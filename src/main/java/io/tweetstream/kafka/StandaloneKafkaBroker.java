package io.tweetstream.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded development broker on its own, for the routes run by something other than the
 * packaged app, which starts it itself: Camel JBang ({@code camel run}) runs no MainListener.
 *
 * <pre>java -cp target/tweetstream.jar io.tweetstream.kafka.StandaloneKafkaBroker</pre>
 *
 * <p>Reads the same settings as the app: {@code KAFKA_EMBEDDED_HOST}, {@code KAFKA_EMBEDDED_PORT},
 * {@code KAFKA_EMBEDDED_DATA_DIR} and {@code KAFKA_TOPIC_PARTITIONS} from the environment, else
 * {@code application.properties} of the working directory. Runs until stopped (Ctrl-C, SIGTERM).
 */
public final class StandaloneKafkaBroker {

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneKafkaBroker.class);

    private StandaloneKafkaBroker() {
    }

    public static void main(String[] args) throws InterruptedException {
        Properties defaults = applicationProperties(Path.of("application.properties"));
        String host = setting(defaults, "kafka.embedded.host", "127.0.0.1");
        int port = Integer.parseInt(setting(defaults, "kafka.embedded.port", "9092"));
        Path dataDir = Path.of(setting(defaults, "kafka.embedded.data-dir", "data/kafka"));
        int partitions = Integer.parseInt(setting(defaults, "kafka.topic.partitions", "3"));

        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(host, port, dataDir, partitions);
        LOG.info("Kafka is ready for clients at {}: e.g. KAFKA_BROKERS={} camel run ...; Ctrl-C stops it",
                broker.bootstrapServers(), broker.bootstrapServers());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.stop();
            stopped.countDown();
        }, "kafka-broker-stop"));
        stopped.await();
    }

    /** The environment variable (Camel's rule: upper case, '.' and '-' as '_'), else the file's value. */
    private static String setting(Properties defaults, String key, String fallback) {
        String variable = key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            value = defaults.getProperty(key, fallback);
        }
        return value.isBlank() ? fallback : value.strip();
    }

    private static Properties applicationProperties(Path file) {
        Properties properties = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + file.toAbsolutePath(), e);
            }
        }
        return properties;
    }
}
