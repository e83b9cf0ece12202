package io.tweetstream.kafka;

import java.nio.file.Path;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the {@link EmbeddedKafkaBroker} before Camel configures its components and routes, but
 * only when {@code kafka.brokers} ({@code KAFKA_BROKERS}) is empty; then points
 * {@code kafka.brokers} at it. Stops it after Camel has stopped, so consumers commit first. The
 * embedded broker speaks PLAINTEXT only: security settings need a broker of one's own.
 */
public class EmbeddedKafkaBrokerListener extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBrokerListener.class);

    private EmbeddedKafkaBroker broker;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent properties = main.getCamelContext().getPropertiesComponent();
        String brokers = properties.resolveProperty("kafka.brokers").orElse("").strip();
        if (!brokers.isEmpty()) {
            LOG.info("Using Kafka at {} (KAFKA_BROKERS); no embedded broker started", brokers);
            return;
        }
        String protocol = property(properties, "kafka.security-protocol", "PLAINTEXT");
        if (!"PLAINTEXT".equals(protocol)) {
            throw new IllegalStateException("KAFKA_SECURITY_PROTOCOL=" + protocol + " needs KAFKA_BROKERS: the embedded"
                    + " development broker only speaks PLAINTEXT (set KAFKA_BROKERS to your cluster, or leave"
                    + " KAFKA_SECURITY_PROTOCOL unset)");
        }
        String host = property(properties, "kafka.embedded.host", "127.0.0.1");
        int port = intProperty(properties, "kafka.embedded.port", 9092);
        Path dataDir = Path.of(property(properties, "kafka.embedded.data-dir", "data/kafka"));
        int partitions = intProperty(properties, "kafka.topic.partitions", 3);

        LOG.info("KAFKA_BROKERS is not set: starting an embedded Kafka broker on {}:{}", host, port);
        broker = EmbeddedKafkaBroker.start(host, port, dataDir, partitions);
        properties.addOverrideProperty("kafka.brokers", broker.bootstrapServers());
        LOG.info("Watch the topic with: kafka-console-consumer.sh --bootstrap-server {} --topic {} --from-beginning",
                broker.bootstrapServers(), property(properties, "kafka.topic", "rk_hadoop"));
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        if (broker != null) {
            broker.stop();
            broker = null;
        }
    }

    private static String property(PropertiesComponent properties, String key, String defaultValue) {
        return properties.resolveProperty(key).map(String::strip).filter(v -> !v.isEmpty()).orElse(defaultValue);
    }

    private static int intProperty(PropertiesComponent properties, String key, int defaultValue) {
        String value = property(properties, key, Integer.toString(defaultValue));
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Property " + key + " (" + key.toUpperCase().replace('.', '_')
                    .replace('-', '_') + ") must be a whole number, but is '" + value + "'", e);
        }
    }
}
