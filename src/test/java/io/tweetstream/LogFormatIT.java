package io.tweetstream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** LOG_FORMAT=json: every line the app writes is one JSON object with the documented fields. */
class LogFormatIT {

    @TempDir
    Path dataDir;

    @Test
    void everyLineIsAJsonObjectWithTheDocumentedFields() throws Exception {
        Map<String, String> environment = Map.of(
                "LOG_FORMAT", "json",
                "KAFKA_EMBEDDED_PORT", Integer.toString(TweetstreamProcess.freePort()),
                "KAFKA_EMBEDDED_DATA_DIR", dataDir.toString(),
                "TWEETS_SAMPLE_RATE", "0",
                "TWEETS_SAMPLE_LOOP", "false");
        try (TweetstreamProcess app = TweetstreamProcess.start(environment)) {
            app.awaitLine(line -> line.contains("\"logger\":\"tweetstream.tweets\""), Duration.ofSeconds(90));
            app.stop();

            assertThat(app.lines()).hasSizeGreaterThan(10);
            int tweetLines = 0;
            for (String line : app.lines()) {
                JsonNode json = Tweets.JSON.readTree(line);
                assertThat(json.isObject()).as(line).isTrue();
                assertThat(json.fieldNames()).toIterable().as(line).contains("timestamp", "level", "logger", "message");
                if (json.get("logger").asText().equals("tweetstream.tweets")) {
                    tweetLines++;
                    assertThat(json.get("message").asText()).contains(json.get("tweetId").asText());
                    assertThat(json.get("routeId").asText()).isEqualTo("kafka-to-log");
                }
            }
            assertThat(tweetLines).isPositive();
        }
    }
}
