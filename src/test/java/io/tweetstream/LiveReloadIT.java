package io.tweetstream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.apache.camel.util.FileUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Route reload on: a saved change to a route file takes effect without a restart; a file with an
 * error is reported with its name and the parser's message, and the running routes keep running.
 */
class LiveReloadIT {

    @TempDir
    Path dataDir;

    @TempDir
    Path routes;

    @Test
    void anEditTakesEffectAndABrokenFileIsReportedWhileRoutesKeepRunning() throws Exception {
        try (var files = Files.list(Path.of("routes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        Path kafkaToLog = routes.resolve("kafka-to-log.camel.yaml");
        Map<String, String> environment = Map.of(
                "CAMEL_MAIN_ROUTES_INCLUDE_PATTERN", "file:" + FileUtil.normalizePath(routes.toString()) + "/*.camel.yaml",
                "CAMEL_MAIN_ROUTES_RELOAD_ENABLED", "true",
                "CAMEL_MAIN_ROUTES_RELOAD_DIRECTORY", routes.toString(),
                "KAFKA_EMBEDDED_PORT", Integer.toString(TweetstreamProcess.freePort()),
                "KAFKA_EMBEDDED_DATA_DIR", dataDir.toString(),
                "TWEETS_SAMPLE_RATE", "20");
        try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
            app.awaitLine(line -> line.contains("tweet ") && line.contains(" by @"), Duration.ofSeconds(90));

            Files.writeString(kafkaToLog, Files.readString(kafkaToLog).replace("message: \"tweet ", "message: \"edited tweet "));
            app.awaitLine(line -> line.contains("edited tweet "), Duration.ofSeconds(60));

            Files.writeString(kafkaToLog, Files.readString(kafkaToLog) + "\n  - this is: [not valid yaml\n");
            String error = app.awaitLine(line -> line.contains("kafka-to-log.camel.yaml")
                    && (line.contains("ERROR") || line.contains("WARN")), Duration.ofSeconds(60));
            assertThat(error).containsIgnoringCase("kafka-to-log.camel.yaml");
            app.awaitLine(line -> line.contains("ParserException"), Duration.ofSeconds(10));
            int before = app.loggedTweetIds().size();
            await().atMost(Duration.ofSeconds(30)).until(() -> app.loggedTweetIds().size() > before + 20);
        }
    }
}
