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
 * application.properties gives the security settings to camel-kafka, and the app's own clients take
 * theirs from camel-kafka's component options: both must connect the same way, and an option set on
 * the component alone reaches the app's clients too.
 */
class KafkaSecuritySettingsTest extends RouteFileTestSupport {

    /** The Kafka client settings tweetstream manages (docs/production.md, Security). */
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
            // options set on the kafka component only: they reach the app's own clients too
            properties.put("camel.component.kafka.ssl-cipher-suites", "TLS_AES_256_GCM_SHA384");
            properties.put("camel.component.kafka.sasl-kerberos-service-name", "kafka-DUMMY");
            properties.put("camel.component.kafka.additional-properties[sasl.login.refresh.buffer.seconds]", "120");
            properties.put("camel.component.kafka.additional-properties[client.dns.lookup]", "use_all_dns_ips");
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
            // one list of options: every security setting camel-kafka gives its clients, ours get too
            camel.forEach((key, value) -> {
                if (key.toString().startsWith("ssl.") || key.toString().startsWith("sasl.")
                        || key.toString().equals("security.protocol")) {
                    assertThat(ours.get(key.toString())).as("%s", key).isEqualTo(value);
                }
            });
        }
        assertThat(ours).containsEntry("ssl.cipher.suites", "TLS_AES_256_GCM_SHA384")
                .containsEntry("sasl.kerberos.service.name", "kafka-DUMMY")
                .containsEntry("sasl.login.refresh.buffer.seconds", "120")
                .containsEntry("client.dns.lookup", "use_all_dns_ips");
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
