package io.tweetstream;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a user sees when the app cannot start, as the packaged jar prints it: one line naming the
 * variable to fix, exit code 1, and no embedded broker started for nothing.
 */
class StartupErrorsIT {

    private static final Duration EXIT = Duration.ofSeconds(30);
    private static final String COULD_NOT_START = "tweetstream could not start: ";

    @TempDir
    Path dataDir;

    @Test
    void aPortInUseStopsStartUpNamingCamelServerPort() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            try (TweetstreamProcess app = TweetstreamProcess.start(embeddedBroker(Map.of(
                    "CAMEL_SERVER_PORT", Integer.toString(port))))) {
                assertThat(app.awaitExit(EXIT)).isEqualTo(1);
                assertThat(errors(app)).containsExactly(COULD_NOT_START + "CAMEL_SERVER_PORT " + port
                        + " is already in use on 127.0.0.1; set CAMEL_SERVER_PORT to a free port");
                assertNoBrokerStarted(app);
            }
        }
    }

    @Test
    void badSettingsStopStartUpBeforeTheEmbeddedBrokerStarts() throws Exception {
        try (TweetstreamProcess app = TweetstreamProcess.start(embeddedBroker(Map.of(
                "TWEETS_EXACTLY_ONCE", "abc",
                "TWEETS_SOURCE", "nope",
                "X_DAILY_POST_READS_BUDGET", "-1")))) {
            assertThat(app.awaitExit(EXIT)).isEqualTo(1);
            assertThat(errors(app)).singleElement().asString().startsWith(COULD_NOT_START)
                    .contains("TWEETS_SOURCE=nope is not a tweet source")
                    .contains("TWEETS_EXACTLY_ONCE=abc is neither true nor false")
                    .contains("X_DAILY_POST_READS_BUDGET=-1: it must be at least 0");
            assertNoBrokerStarted(app);
        }
    }

    @Test
    void unreachableKafkaIsToldOnceWithTheTimeReallyWaitedAndStopsStartUp() throws Exception {
        try (TweetstreamProcess app = TweetstreamProcess.start(Map.of(
                "KAFKA_BROKERS", "127.0.0.1:1",
                "KAFKA_STARTUP_TIMEOUT_MS", "12000"))) {
            assertThat(app.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            List<String> told = app.lines().stream().filter(line -> line.contains("answer")).toList();
            assertThat(told).as("one warning after 10 s, then the end after 12 s").hasSize(2);
            assertThat(told.get(0)).contains("WARN").contains("Kafka at 127.0.0.1:1 does not answer yet (waited 10 s of at"
                    + " most 12 s): check KAFKA_BROKERS");
            assertThat(told.get(1)).contains("ERROR").contains(COULD_NOT_START).containsPattern(
                    "Kafka at 127\\.0\\.0\\.1:1 did not answer in 1[234] s \\(KAFKA_STARTUP_TIMEOUT_MS=12000\\): check"
                            + " KAFKA_BROKERS");
            assertThat(app.lines()).as("the Kafka clients' warning of each failed connection is not shown")
                    .noneMatch(line -> line.contains("could not be established"));
        }
    }

    /** The embedded broker, were it started, on a port and directory of this test. */
    private Map<String, String> embeddedBroker(Map<String, String> environment) {
        Map<String, String> withBroker = new java.util.HashMap<>(environment);
        withBroker.put("KAFKA_EMBEDDED_PORT", Integer.toString(TweetstreamProcess.freePort()));
        withBroker.put("KAFKA_EMBEDDED_DATA_DIR", dataDir.toString());
        return withBroker;
    }

    private static List<String> errors(TweetstreamProcess app) {
        return app.lines().stream().filter(line -> line.contains(" ERROR ")).map(line -> line.substring(
                line.indexOf(" - ") + 3)).toList();
    }

    private static void assertNoBrokerStarted(TweetstreamProcess app) {
        assertThat(app.lines()).noneMatch(line -> line.contains("embedded Kafka broker")
                || line.contains("Embedded Kafka broker"));
    }
}
