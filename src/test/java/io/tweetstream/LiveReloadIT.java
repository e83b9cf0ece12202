package io.tweetstream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.camel.util.FileUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Route reload on: a saved change to a route file takes effect in the running JVM within seconds; a
 * file with an error is reported with its name and the parser's message, and the running routes keep
 * running; and nothing is lost meanwhile: every tweet of a sample pass sent across the edits is
 * published once and consumed, and the meters keep counting.
 */
class LiveReloadIT {

    @TempDir
    Path dataDir;

    @TempDir
    Path routes;

    @Test
    void editsTakeEffectAndABrokenFileIsReportedWhileNoTweetIsLost() throws Exception {
        try (var files = Files.list(Path.of("routes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        Path kafkaToLog = routes.resolve("kafka-to-log.camel.yaml");
        Path tweetsToKafka = routes.resolve("tweets-to-kafka.camel.yaml");
        int port = TweetstreamProcess.freePort();
        Map<String, String> environment = Map.of(
                "CAMEL_MAIN_ROUTES_INCLUDE_PATTERN", "file:" + FileUtil.normalizePath(routes.toString()) + "/*.camel.yaml",
                "CAMEL_MAIN_ROUTES_RELOAD_ENABLED", "true",
                "CAMEL_MAIN_ROUTES_RELOAD_DIRECTORY", routes.toString(),
                "KAFKA_EMBEDDED_PORT", Integer.toString(port),
                "KAFKA_EMBEDDED_DATA_DIR", dataDir.toString(),
                "TWEETS_SAMPLE_LOOP", "false",
                "TWEETS_SAMPLE_RATE", "12");
        Set<String> sampleIds = Tweets.sampleIds();
        try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
            app.awaitLine(line -> line.contains("tweet ") && line.contains(" by @"), Duration.ofSeconds(90));

            Files.writeString(kafkaToLog, Files.readString(kafkaToLog).replace("message: \"tweet ", "message: \"edited tweet "));
            app.awaitLine(line -> line.contains("edited tweet "), Duration.ofSeconds(60));

            // the ingest flow itself, while the sample source feeds it: the source waits, drops nothing.
            // (Files.writeString truncates first: the watcher may see the empty file and log an error
            // before it sees the whole one, so what counts is the reload that started the route.)
            Files.writeString(tweetsToKafka, Files.readString(tweetsToKafka).replace(
                    "description: Normalises each tweet", "description: (edited live) Normalises each tweet"));
            app.awaitLine(line -> line.contains("RouteWatcherReloadStrategy") && line.contains("Started tweets-to-kafka")
                    && line.contains("tweets-to-kafka.camel.yaml"), Duration.ofSeconds(60));
            assertThat(new HashSet<>(app.loggedTweetIds())).as("reloaded while the sample pass was still being sent")
                    .hasSizeLessThan(sampleIds.size());

            Files.writeString(kafkaToLog, Files.readString(kafkaToLog) + "\n  - this is: [not valid yaml\n");
            String error = app.awaitLine(line -> line.contains("kafka-to-log.camel.yaml")
                    && (line.contains("ERROR") || line.contains("WARN")), Duration.ofSeconds(60));
            assertThat(error).containsIgnoringCase("kafka-to-log.camel.yaml");
            app.awaitLine(line -> line.contains("ParserException"), Duration.ofSeconds(10));

            await().atMost(Duration.ofSeconds(90)).until(() -> new HashSet<>(app.loggedTweetIds()).containsAll(sampleIds));
            assertThat(app.lines()).as("one JVM, one Camel start").filteredOn(line -> line.contains("Apache Camel")
                    && line.contains(" started in ")).hasSize(1);
            assertThat(TopicReader.keys("127.0.0.1:" + port, "rk_hadoop")).as("each tweet published once")
                    .hasSize(sampleIds.size()).containsExactlyInAnyOrderElementsOf(sampleIds);
            String metrics = app.get("/observe/metrics").getValue();
            assertThat(metrics).as("meters kept across reloads")
                    .containsPattern("tweetstream_tweets_consumed_total\\{[^}]*\\} " + sampleIds.size() + "\\.0")
                    .containsPattern("tweetstream_tweets_published_total\\{[^}]*\\} " + sampleIds.size() + "\\.0");
        }
    }
}
