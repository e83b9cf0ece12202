package io.tweetstream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.tweetstream.kafka.EmbeddedKafkaBroker;
import io.tweetstream.kafka.KafkaClientConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged app against a broker that only accepts SASL (PLAIN over SASL_PLAINTEXT): every
 * Kafka client of the app authenticates (camel-kafka's producer and consumer, the admin clients of
 * topic creation, health and lag, the dedup repository), the password shows up nowhere, and a
 * wrong password stops start-up with a message that names what to fix.
 */
class KafkaSecurityIT {

    /** Recognisable dummy passwords: neither may ever show up in the output, metrics or health. */
    private static final String PASSWORD = "kafka-pw-DUMMY-3c9e51f7";
    private static final String WRONG_PASSWORD = "kafka-pw-WRONG-8d20b6aa";
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path dataDir;

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startSaslBroker() {
        broker = EmbeddedKafkaBroker.start("127.0.0.1", 0, dataDir, 3, Map.of(
                "listener.security.protocol.map", EmbeddedKafkaBroker.CLIENT_LISTENER + ":SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                "sasl.enabled.mechanisms", "PLAIN",
                "sasl.mechanism.inter.broker.protocol", "PLAIN",
                "listener.name.client.plain.sasl.jaas.config", jaas("broker", "broker-secret")
                        .replace(";", " user_broker=\"broker-secret\" user_tweetstream=\"" + PASSWORD + "\";")));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void everyKafkaClientOfTheAppAuthenticatesAndThePasswordShowsNowhere() throws Exception {
        Set<String> sampleIds = Tweets.sampleIds();
        // the user name and password as two settings (KAFKA_SASL_USERNAME/PASSWORD), made into the JAAS entry
        Map<String, String> environment = new java.util.HashMap<>(saslEnvironment(PASSWORD));
        environment.remove("KAFKA_SASL_JAAS_CONFIG");
        environment.put("KAFKA_SASL_USERNAME", "tweetstream");
        environment.put("KAFKA_SASL_PASSWORD", PASSWORD);
        try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
            app.awaitLine(line -> new HashSet<>(app.loggedTweetIds()).containsAll(sampleIds), WAIT);

            // topic creation (admin client)
            assertThat(app.lines()).anyMatch(line -> line.contains("Created topic rk_hadoop with 3 partition(s)"));
            // the transactional producer published every tweet (consumed above); the dedup repository's
            // consumer read the tweet topic back
            assertThat(app.lines()).anyMatch(line -> line.contains("Exactly-once publishing (TWEETS_EXACTLY_ONCE=true)"))
                    .anyMatch(line -> line.contains("published tweet ids read back from topic rk_hadoop"));
            assertThat(endOffset(PASSWORD, "rk_hadoop")).as("the tweets and their transactions' markers")
                    .isGreaterThan(0);
            // health (admin client): UP, with the protocol in the details
            String health = app.get("/observe/health?data=true").getValue();
            assertThat(health).contains("\"securityProtocol\":\"SASL_PLAINTEXT\"").contains("\"clusterId\"");
            // consumer lag (admin client): computed, not -1
            await().atMost(Duration.ofSeconds(30)).until(() -> app.get("/observe/metrics").getValue().lines()
                    .anyMatch(line -> line.startsWith("tweetstream_consumer_lag{") && line.endsWith("} 0.0")));
            // the start-up listing shows the setting, masked
            assertThat(app.lines()).anyMatch(line -> line.contains("kafka.sasl.password = xxxxxx"));

            String metrics = app.get("/observe/metrics").getValue();
            health = app.get("/observe/health?data=true").getValue();
            assertThat(metrics).doesNotContain(PASSWORD);
            assertThat(health).doesNotContain(PASSWORD);
            app.stop();
            assertThat(app.lines()).as("the output never shows the password").noneMatch(line -> line.contains(PASSWORD));
        }
    }

    @Test
    void aWrongPasswordStopsStartUpWithAMessageNamingWhatToFix() throws Exception {
        try (TweetstreamProcess app = TweetstreamProcess.start(saslEnvironment(WRONG_PASSWORD))) {
            assertThat(app.awaitExit(WAIT)).isNotZero();
            String error = app.awaitLine(line -> line.contains("tweetstream could not start"), Duration.ofSeconds(5));
            assertThat(error).contains("Kafka at " + broker.bootstrapServers() + " refused the SASL credentials")
                    .contains("check the user name and password in KAFKA_SASL_JAAS_CONFIG");
            assertThat(app.lines()).noneMatch(line -> line.contains(WRONG_PASSWORD) || line.contains(PASSWORD));
        }
    }

    private static Map<String, String> saslEnvironment(String password) {
        return Map.of(
                "KAFKA_BROKERS", broker.bootstrapServers(),
                "KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM", "PLAIN",
                "KAFKA_SASL_JAAS_CONFIG", jaas("tweetstream", password),
                "TWEETS_SAMPLE_LOOP", "false",
                "TWEETS_SAMPLE_RATE", "0");
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static long endOffset(String password, String topic) throws Exception {
        KafkaClientConfig client = KafkaClientConfig.plaintext(broker.bootstrapServers());
        client.setSecurityProtocol("SASL_PLAINTEXT");
        client.setSaslMechanism("PLAIN");
        client.setSaslJaasConfig(jaas("tweetstream", password));
        try (Admin admin = Admin.create(client.clientConfig())) {
            return admin.listOffsets(Map.of(new TopicPartition(topic, 0), OffsetSpec.latest())).all()
                    .get(30, TimeUnit.SECONDS).values().iterator().next().offset();
        }
    }
}
