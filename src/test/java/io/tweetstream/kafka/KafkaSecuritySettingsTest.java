package io.tweetstream.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * application.properties gives the security settings to camel-kafka, routes/beans.camel.yaml to
 * the app's own clients: both, from the same KAFKA_* settings, must connect the same way.
 */
class KafkaSecuritySettingsTest extends RouteFileTestSupport {

    /** The Kafka client settings tweetstream manages (README, Kafka security). */
    private static final List<String> MANAGED = List.of("security.protocol", "sasl.mechanism", "sasl.jaas.config",
            "ssl.truststore.location", "ssl.truststore.password", "ssl.truststore.type", "ssl.keystore.location",
            "ssl.keystore.password", "ssl.keystore.type", "ssl.key.password", "ssl.endpoint.identification.algorithm");
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"app\" password=\"pw-DUMMY-0b7d\";";

    @TempDir
    static Path stores;

    @Override
    protected String[] routeFiles() {
        return new String[0];
    }

    @Override
    protected void overrides(Properties properties) {
        try {
            properties.put("kafka.brokers", "broker1:9093,broker2:9093");
            properties.put("kafka.security-protocol", "SASL_SSL");
            properties.put("kafka.sasl-mechanism", "SCRAM-SHA-512");
            properties.put("kafka.sasl-jaas-config", JAAS);
            properties.put("kafka.ssl-truststore-location", store("ca.p12"));
            properties.put("kafka.ssl-truststore-password", "ts-DUMMY");
            properties.put("kafka.ssl-truststore-type", "PKCS12");
            properties.put("kafka.ssl-keystore-location", store("client.jks"));
            properties.put("kafka.ssl-keystore-password", "ks-DUMMY");
            properties.put("kafka.ssl-keystore-type", "JKS");
            // kafka.ssl-key-password left to its default: the keystore password
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void camelKafkaAndTheAppsOwnClientsConnectTheSameWay() {
        KafkaConfiguration camelKafka = context.getComponent("kafka", KafkaComponent.class).getConfiguration();
        Map<String, Object> ours = context.getRegistry().lookupByNameAndType("kafkaClientConfig", KafkaClientConfig.class)
                .clientConfig();

        assertThat(ours).containsEntry("bootstrap.servers", "broker1:9093,broker2:9093")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("ssl.key.password", "ks-DUMMY")
                .containsEntry("ssl.endpoint.identification.algorithm", "https");
        for (Properties camel : List.of(camelKafka.createProducerProperties(), camelKafka.createConsumerProperties())) {
            for (String key : MANAGED) {
                assertThat(ours.get(key)).as(key).isNotNull().isEqualTo(camel.get(key));
            }
        }
    }

    @Test
    void theDedupRepositoryAndTheCursorStoreConnectWithTheSameSettings() {
        KafkaClientConfig ours = context.getRegistry().lookupByNameAndType("kafkaClientConfig", KafkaClientConfig.class);

        assertThat(context.getRegistry().lookupByNameAndType("kafkaSeenTweetIds", KafkaSeenTweetIds.class)
                .getClientConfig()).isSameAs(ours);
        assertThat(context.getRegistry().lookupByNameAndType("sourceCursors", SourceCursors.class)
                .getClientConfig()).isSameAs(ours);
        assertThat(ours.clientConfig()).as("each client gets its own copy").isNotSameAs(ours.clientConfig())
                .containsAllEntriesOf(ours.clientConfig());
    }

    private static String store(String name) throws Exception {
        Path file = stores.resolve(name);
        if (!Files.exists(file)) {
            Files.createFile(file);
        }
        return file.toString();
    }
}
