package io.tweetstream.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The security settings of the app's own Kafka clients: what they send to Kafka, what they refuse, what they say. */
class KafkaClientConfigTest {

    private static final String SECRET = "pw-DUMMY-51aa07e2";
    private static final String PLAIN_JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"app\" password=\"" + SECRET + "\";";

    @TempDir
    Path dir;

    @Test
    void byDefaultAPlaintextConnectionWithNothingElse() {
        KafkaClientConfig config = KafkaClientConfig.plaintext("broker:9092");
        config.check();
        assertThat(config.clientConfig()).isEqualTo(Map.of(
                "bootstrap.servers", "broker:9092", "security.protocol", "PLAINTEXT"));
    }

    @Test
    void saslSslSendsEverySettingAsKafkaNamesIt() throws Exception {
        KafkaClientConfig config = saslSsl();
        config.setSslKeystoreLocation(Files.createFile(dir.resolve("client.p12")).toString());
        config.setSslKeystorePassword("ks-" + SECRET);
        config.setSslKeystoreType("pkcs12");
        config.setSslKeyPassword("key-" + SECRET);
        config.check();

        assertThat(config.clientConfig())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("sasl.jaas.config", PLAIN_JAAS)
                .containsEntry("ssl.truststore.location", dir.resolve("ca.p12").toString())
                .containsEntry("ssl.truststore.password", "ts-" + SECRET)
                .containsEntry("ssl.truststore.type", "PKCS12")
                .containsEntry("ssl.keystore.location", dir.resolve("client.p12").toString())
                .containsEntry("ssl.keystore.password", "ks-" + SECRET)
                .containsEntry("ssl.keystore.type", "PKCS12")
                .containsEntry("ssl.key.password", "key-" + SECRET)
                .containsEntry("ssl.endpoint.identification.algorithm", "https");
        assertThat(config.clientConfig()).as("a new copy for each client").isNotSameAs(config.clientConfig());
    }

    @Test
    void tlsSettingsAreLeftOutWithoutTls() {
        KafkaClientConfig config = KafkaClientConfig.plaintext("broker:9092");
        config.setSecurityProtocol("SASL_PLAINTEXT");
        config.setSaslMechanism("PLAIN");
        config.setSaslJaasConfig(PLAIN_JAAS);
        config.setSslTruststoreLocation("/nowhere/ca.p12");
        config.check();
        assertThat(config.clientConfig()).doesNotContainKeys("ssl.truststore.location", "ssl.endpoint.identification.algorithm")
                .containsEntry("sasl.jaas.config", PLAIN_JAAS);
    }

    /** Whatever is left over in the environment, the app's clients send what camel-kafka sends. */
    @ParameterizedTest
    @ValueSource(strings = {"PLAINTEXT", "SASL_PLAINTEXT", "SSL", "SASL_SSL"})
    void sendsTheSecuritySettingsCamelKafkaSendsForEachProtocol(String protocol) {
        KafkaClientConfig ours = KafkaClientConfig.plaintext("broker:9093");
        org.apache.camel.component.kafka.KafkaConfiguration camel = new org.apache.camel.component.kafka.KafkaConfiguration();
        camel.setBrokers("broker:9093");
        ours.setSecurityProtocol(protocol);
        camel.setSecurityProtocol(protocol);
        ours.setSaslMechanism("PLAIN");
        camel.setSaslMechanism("PLAIN");
        ours.setSaslJaasConfig(PLAIN_JAAS);
        camel.setSaslJaasConfig(PLAIN_JAAS);
        ours.setSslTruststoreLocation("/etc/kafka/ca.p12");
        camel.setSslTruststoreLocation("/etc/kafka/ca.p12");
        ours.setSslTruststorePassword("ts-" + SECRET);
        camel.setSslTruststorePassword("ts-" + SECRET);
        ours.setSslTruststoreType("PKCS12");
        camel.setSslTruststoreType("PKCS12");
        java.util.Properties sent = camel.createProducerProperties();

        Map<String, Object> config = ours.clientConfig();
        for (String key : java.util.List.of("security.protocol", "sasl.mechanism", "sasl.jaas.config",
                "ssl.truststore.location", "ssl.truststore.password", "ssl.truststore.type")) {
            assertThat(config.get(key)).as("%s with %s", key, protocol).isEqualTo(sent.get(key));
        }
    }

    @Test
    void anEmptyEndpointIdentificationAlgorithmTurnsTheHostNameCheckOffAsInKafka() throws Exception {
        KafkaClientConfig config = saslSsl();
        config.setSslEndpointIdentificationAlgorithm("");
        config.check();
        assertThat(config.clientConfig()).containsEntry("ssl.endpoint.identification.algorithm", "");
        assertThat(config.describe()).contains("broker host names not verified");
    }

    @Test
    void aProtocolKafkaDoesNotKnowIsRefusedWithTheList() {
        KafkaClientConfig config = KafkaClientConfig.plaintext("broker:9092");
        config.setSecurityProtocol("sasl_ssl");
        assertThatThrownBy(config::check).hasMessage("KAFKA_SECURITY_PROTOCOL=sasl_ssl is not a Kafka security protocol;"
                + " use one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL (upper case)");
    }

    @Test
    void saslWithoutCredentialsNamesTheVariable() {
        KafkaClientConfig config = KafkaClientConfig.plaintext("broker:9092");
        config.setSecurityProtocol("SASL_SSL");
        config.setSaslMechanism("SCRAM-SHA-512");
        assertThatThrownBy(config::check).hasMessageContaining(
                "KAFKA_SECURITY_PROTOCOL=SASL_SSL with SASL mechanism SCRAM-SHA-512 needs KAFKA_SASL_JAAS_CONFIG");
    }

    @Test
    void aLoginModuleThatDoesNotFitTheMechanismNamesTheMechanismToSet() {
        KafkaClientConfig config = KafkaClientConfig.plaintext("broker:9092");
        config.setSecurityProtocol("SASL_PLAINTEXT");
        config.setSaslJaasConfig(PLAIN_JAAS);
        assertThatThrownBy(config::check)
                .hasMessageContaining("KAFKA_SASL_JAAS_CONFIG uses org.apache.kafka.common.security.plain.PlainLoginModule,"
                        + " which needs KAFKA_SASL_MECHANISM=PLAIN (it is GSSAPI, Kafka's default)")
                .message().doesNotContain(SECRET);
    }

    @Test
    void aMalformedJaasEntryIsReportedWithoutItsContent() {
        KafkaClientConfig config = KafkaClientConfig.plaintext("broker:9092");
        config.setSecurityProtocol("SASL_PLAINTEXT");
        config.setSaslMechanism("PLAIN");
        config.setSaslJaasConfig(PLAIN_JAAS.replace(";", ""));
        assertThatThrownBy(config::check).hasMessageContaining("KAFKA_SASL_JAAS_CONFIG is not a JAAS entry")
                .message().doesNotContain(SECRET);
    }

    @Test
    void storesThatCannotWorkAreReportedByVariable() throws Exception {
        KafkaClientConfig config = saslSsl();
        config.setSslTruststoreLocation(dir.resolve("missing.p12").toString());
        config.setSslKeystoreLocation(Files.createFile(dir.resolve("client.p12")).toString());
        config.setSslEndpointIdentificationAlgorithm("none");
        assertThatThrownBy(config::check)
                .hasMessageContaining("KAFKA_SSL_TRUSTSTORE_LOCATION=" + dir.resolve("missing.p12") + " is not a readable file")
                .hasMessageContaining("KAFKA_SSL_KEYSTORE_LOCATION needs KAFKA_SSL_KEYSTORE_PASSWORD")
                .hasMessageContaining("KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM=none is not supported")
                .message().doesNotContain(SECRET);
    }

    @Test
    void aPasswordWithoutItsStoreIsReported() {
        KafkaClientConfig config = KafkaClientConfig.plaintext("broker:9092");
        config.setSecurityProtocol("SSL");
        config.setSslTruststorePassword(SECRET);
        assertThatThrownBy(config::check)
                .hasMessage("Kafka security settings: KAFKA_SSL_TRUSTSTORE_PASSWORD is set but KAFKA_SSL_TRUSTSTORE_LOCATION is not");
    }

    @Test
    void authenticationFailuresSayWhatToFixOtherFailuresDoNot() throws Exception {
        KafkaClientConfig config = saslSsl();
        assertThat(config.whatToFix(new ExecutionException(new SaslAuthenticationException("Authentication failed"))))
                .hasValue("Kafka at broker:9093 refused the SASL credentials (Authentication failed): check the user name"
                        + " and password in KAFKA_SASL_JAAS_CONFIG and KAFKA_SASL_MECHANISM (PLAIN)");
        assertThat(config.whatToFix(new SslAuthenticationException("PKIX path building failed")))
                .get().asString().contains("TLS handshake with Kafka at broker:9093 failed (PKIX path building failed)")
                .contains("KAFKA_SSL_TRUSTSTORE_LOCATION");
        assertThat(config.whatToFix(new ExecutionException(new TimeoutException("timed out")))).isEmpty();
    }

    @Test
    void noSecretInItsDescription() throws Exception {
        KafkaClientConfig config = saslSsl();
        assertThat(config.toString()).isEqualTo("KafkaClientConfig[broker:9093, security protocol SASL_SSL, SASL mechanism PLAIN,"
                + " truststore " + dir.resolve("ca.p12") + "]");
        assertThat(config.describe()).doesNotContain(SECRET);
    }

    private KafkaClientConfig saslSsl() throws Exception {
        Path truststore = dir.resolve("ca.p12");
        if (!Files.exists(truststore)) {
            Files.createFile(truststore);
        }
        KafkaClientConfig config = KafkaClientConfig.plaintext("broker:9093");
        config.setSecurityProtocol("SASL_SSL");
        config.setSaslMechanism("PLAIN");
        config.setSaslJaasConfig(PLAIN_JAAS);
        config.setSslTruststoreLocation(truststore.toString());
        config.setSslTruststorePassword("ts-" + SECRET);
        config.setSslTruststoreType("PKCS12");
        return config;
    }
}
