package io.tweetstream;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.tweetstream.FakeXStream.Post;
import io.tweetstream.FakeXStream.Rule;

import static io.tweetstream.FakeXStream.live;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The fake X filtered stream itself, driven by raw sockets and java.net.http. */
class FakeXStreamTest {

    private static final String TOKEN = FakeXStream.DEFAULT_TOKEN;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private FakeXStream x;

    @BeforeEach
    void start() {
        x = new FakeXStream();
        x.setKeepAliveMillis(100);
    }

    @AfterEach
    void stop() {
        x.close();
    }

    @Test
    void streamsPublishedPostsAsChunkedLinesWithKeepAlives() throws Exception {
        Rule rule = x.addRule("kafka", "kafka");
        assertThat(rule.id()).isEqualTo("1866000000000000001");
        try (RawStream stream = RawStream.open(x, TOKEN)) {
            assertThat(stream.status).isEqualTo(200);
            assertThat(stream.headers).containsEntry("transfer-encoding", "chunked")
                    .containsEntry("x-rate-limit-limit", "50")
                    .containsKeys("x-rate-limit-remaining", "x-rate-limit-reset")
                    .doesNotContainKey("content-length");
            assertThat(x.openStreams()).isEqualTo(1);

            Post first = x.publish("kafka");
            Post second = x.publish("kafka");
            assertThat(first.streamed()).isTrue();
            assertThat(second.streamed()).isTrue();
            assertThat(first.id()).isEqualTo("1870000000000000001");
            assertThat(Long.parseLong(second.id())).isGreaterThan(Long.parseLong(first.id()));

            await().until(() -> stream.dataLines().size() == 2);
            assertThat(stream.dataLines()).containsExactly(first.json(), second.json());
            JsonNode message = JSON.readTree(stream.dataLines().get(0));
            assertThat(message.at("/data/id").asText()).isEqualTo(first.id());
            assertThat(message.at("/data/text").asText()).startsWith("post 1 about kafka");
            assertThat(message.at("/data/author_id").asText()).isEqualTo(FakeXStream.AUTHOR_ID);
            assertThat(message.at("/data/created_at").asText())
                    .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(Instant.parse(message.at("/data/created_at").asText())).isEqualTo(first.publishedAt());
            assertThat(message.at("/data/lang").asText()).isEqualTo("en");
            assertThat(message.at("/data/entities/hashtags/0/tag").asText()).isEqualTo("kafka");
            assertThat(message.at("/data/edit_history_tweet_ids/0").asText()).isEqualTo(first.id());
            assertThat(message.at("/data/possibly_sensitive").isBoolean()).isTrue();
            assertThat(message.at("/includes/users/0/username").asText()).isEqualTo("fake_author");
            assertThat(message.at("/includes/users/0/public_metrics/followers_count").asInt()).isEqualTo(10);
            assertThat(message.at("/matching_rules/0/id").asText()).isEqualTo(rule.id());
            assertThat(message.at("/matching_rules/0/tag").asText()).isEqualTo("kafka");

            await().until(() -> stream.keepAlives() >= 2);
            // one line per chunk, each ending with CRLF
            assertThat(stream.chunks).allSatisfy(chunk -> {
                assertThat(chunk).endsWith("\r\n");
                assertThat(chunk.indexOf('\n')).isEqualTo(chunk.length() - 1);
            });
            assertThat(stream.failure).isNull();
        }
        await().until(() -> x.openStreams() == 0);
        assertThat(x.published()).extracting(Post::streamed).containsExactly(true, true);
        assertThat(x.streamConnects()).isEqualTo(1);
        assertThat(x.publish("kafka").streamed()).isFalse();
    }

    @Test
    void secondConcurrentConnectionGetsTooManyConnectionsAndSoDoesOneWithinTheLinger() throws Exception {
        x.addRule("kafka", "kafka");
        try (RawStream first = RawStream.open(x, TOKEN)) {
            assertThat(first.status).isEqualTo(200);
            HttpResponse<String> second = get("tweets/search/stream", TOKEN);
            assertThat(second.statusCode()).isEqualTo(429);
            assertThat(second.body()).isEqualTo(FakeXStream.TOO_MANY_CONNECTIONS);
            assertThat(json(second).path("connection_issue").asText()).isEqualTo("TooManyConnections");
            assertThat(Integer.parseInt(second.headers().firstValue("x-rate-limit-remaining").orElseThrow())).isPositive();
            assertThat(second.headers().firstValue("content-length")).hasValue(
                    Integer.toString(FakeXStream.TOO_MANY_CONNECTIONS.length()));
            assertThat(x.openStreams()).isEqualTo(1);
        }
        await().until(() -> x.openStreams() == 0);
        x.setLingerMillis(60_000);
        assertThat(get("tweets/search/stream", TOKEN).statusCode()).isEqualTo(429);
        x.setLingerMillis(0);
        try (RawStream third = RawStream.open(x, TOKEN)) {
            assertThat(third.status).isEqualTo(200);
        }
        assertThat(x.streamConnects()).isEqualTo(4);
    }

    @Test
    void noLiveRulesGives409() throws Exception {
        HttpResponse<String> response = get("tweets/search/stream", TOKEN);
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(json(response).path("connection_issue").asText()).isEqualTo("NoRules");
        assertThat(x.openStreams()).isZero();
        assertThat(x.streamConnects()).isEqualTo(1);
    }

    @Test
    void dropAfterResetsTheConnection() throws Exception {
        x.addRule("kafka", "kafka");
        x.enqueue(live().dropAfter(1));
        try (RawStream stream = RawStream.open(x, TOKEN)) {
            Post first = x.publish("kafka");
            assertThat(first.streamed()).isTrue();
            await().until(() -> stream.failure != null);
            assertThat(stream.failure).isInstanceOf(IOException.class);
            assertThat(stream.cleanEnd).isFalse();
            assertThat(stream.dataLines()).containsExactly(first.json());
            await().until(() -> x.openStreams() == 0);
            assertThat(x.publish("kafka").streamed()).isFalse();
        }
        // the next attempt is live again
        try (RawStream again = RawStream.open(x, TOKEN)) {
            assertThat(again.status).isEqualTo(200);
            assertThat(x.publish("kafka").streamed()).isTrue();
        }
    }

    @Test
    void stallAfterSendsNothingAtAllButKeepsTheSocketOpen() throws Exception {
        x.addRule("kafka", "kafka");
        x.setKeepAliveMillis(50);
        x.enqueue(live().stallAfter(1));
        try (RawStream stream = RawStream.open(x, TOKEN)) {
            await().until(() -> stream.keepAlives() >= 1);
            Post first = x.publish("kafka");
            assertThat(first.streamed()).isTrue();
            await().until(() -> stream.dataLines().size() == 1);
            int seen = stream.chunks.size();
            assertThat(x.publish("kafka").streamed()).isFalse();
            // 10 keep-alive intervals of silence, the connection still open
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .until(() -> stream.chunks.size() == seen && stream.failure == null && !stream.cleanEnd);
            assertThat(x.openStreams()).isEqualTo(1);
        }
        await().until(() -> x.openStreams() == 0);
    }

    @Test
    void errorLineThenStallSendsTheDisconnectLineAndThenNothing() throws Exception {
        x.addRule("kafka", "kafka");
        x.enqueue(live().errorLineThenStall(0));
        try (RawStream stream = RawStream.open(x, TOKEN)) {
            await().until(() -> stream.chunks.contains(FakeXStream.OPERATIONAL_DISCONNECT + "\r\n"));
            assertThat(x.publish("kafka").streamed()).isFalse();
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> stream.chunks.size() == 1 && stream.failure == null && !stream.cleanEnd);
            assertThat(x.openStreams()).isEqualTo(1);
        }
        await().until(() -> x.openStreams() == 0);
    }

    @Test
    void operationalDisconnectEndsTheStreamAfterGarbageDuplicatesBareNewlinesAndErrorsInMessages() throws Exception {
        x.addRule("kafka", "kafka");
        x.enqueue(live().garbageLine("{not json").duplicates().bareNewlines().withErrorsInMessages()
                .operationalDisconnectAfter(1));
        try (RawStream stream = RawStream.open(x, TOKEN)) {
            Post post = x.publish("kafka");
            await().until(() -> stream.eof);
            assertThat(stream.cleanEnd).isTrue();
            assertThat(stream.failure).isNull();
            assertThat(stream.text()).doesNotContain("\r");
            List<String> lines = stream.chunks.stream().filter(chunk -> !chunk.equals("\n")).toList();
            assertThat(lines).hasSize(4);
            assertThat(lines.get(0)).isEqualTo("{not json\n");
            assertThat(lines.get(1)).isEqualTo(lines.get(2)).endsWith("}\n");
            assertThat(lines.get(3)).isEqualTo(FakeXStream.OPERATIONAL_DISCONNECT + "\n");
            JsonNode message = JSON.readTree(lines.get(1));
            JsonNode plain = JSON.readTree(post.json());
            assertThat(message.get("data")).isEqualTo(plain.get("data"));
            assertThat(message.get("includes")).isEqualTo(plain.get("includes"));
            assertThat(message.at("/errors/0/title").asText()).isEqualTo("Not Found Error");
            assertThat(message.at("/errors/0/resource_type").asText()).isEqualTo("user");
            assertThat(plain.has("errors")).isFalse();
        }
        await().until(() -> x.openStreams() == 0);
    }

    @Test
    void splitLinesArriveInPiecesThatReassembleIntoTheSameLines() throws Exception {
        x.addRule("kafka", "kafka");
        x.setKeepAliveMillis(60_000);
        x.enqueue(live().splitLines());
        try (RawStream stream = RawStream.open(x, TOKEN)) {
            Post first = x.publish("kafka");
            Post second = x.publish("kafka");
            await().until(() -> stream.dataLines().size() == 2);
            assertThat(stream.chunks).hasSize(6);
            for (int i = 0; i < 6; i++) {
                String chunk = stream.chunks.get(i);
                assertThat(chunk).isNotEmpty();
                if (i % 3 != 2) {
                    assertThat(chunk).doesNotEndWith("\r\n");
                }
            }
            assertThat(stream.text()).isEqualTo(first.json() + "\r\n" + second.json() + "\r\n");
            assertThat(stream.dataLines()).containsExactly(first.json(), second.json());
        }
    }

    @Test
    void statusPlansAreAnsweredInOrderThenLive() throws Exception {
        x.addRule("kafka", "kafka");
        x.enqueue(FakeXStream.serverError(), FakeXStream.rateLimited(60), FakeXStream.unauthorized(),
                FakeXStream.forbidden(), FakeXStream.usageCapped(), FakeXStream.tooManyConnections(),
                FakeXStream.status(502, null, Map.of("retry-after", "1")));
        long now = Instant.now().getEpochSecond();

        HttpResponse<String> unavailable = get("tweets/search/stream", TOKEN);
        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(unavailable.body()).isEqualTo(FakeXStream.SERVICE_UNAVAILABLE);

        HttpResponse<String> limited = get("tweets/search/stream", TOKEN);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(json(limited).path("title").asText()).isEqualTo("Too Many Requests");
        assertThat(limited.headers().firstValue("x-rate-limit-limit")).hasValue("50");
        assertThat(limited.headers().firstValue("x-rate-limit-remaining")).hasValue("0");
        assertThat(Long.parseLong(limited.headers().firstValue("x-rate-limit-reset").orElseThrow()))
                .isBetween(now + 59, now + 62);

        assertThat(get("tweets/search/stream", TOKEN).statusCode()).isEqualTo(401);
        HttpResponse<String> forbidden = get("tweets/search/stream", TOKEN);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(json(forbidden).path("reason").asText()).isEqualTo("client-not-enrolled");
        HttpResponse<String> capped = get("tweets/search/stream", TOKEN);
        assertThat(capped.statusCode()).isEqualTo(429);
        assertThat(json(capped).path("title").asText()).isEqualTo("UsageCapExceeded");
        HttpResponse<String> tooMany = get("tweets/search/stream", TOKEN);
        assertThat(json(tooMany).path("connection_issue").asText()).isEqualTo("TooManyConnections");
        assertThat(Integer.parseInt(tooMany.headers().firstValue("x-rate-limit-remaining").orElseThrow())).isPositive();
        HttpResponse<String> badGateway = get("tweets/search/stream", TOKEN);
        assertThat(badGateway.statusCode()).isEqualTo(502);
        assertThat(badGateway.body()).isEmpty();
        assertThat(badGateway.headers().firstValue("retry-after")).hasValue("1");

        try (RawStream stream = RawStream.open(x, TOKEN)) {
            assertThat(stream.status).isEqualTo(200);
        }
        assertThat(x.streamConnects()).isEqualTo(8);
    }

    @Test
    void rulesAddDryRunInvalidDuplicateAndDelete() throws Exception {
        HttpResponse<String> none = get("tweets/search/stream/rules", TOKEN);
        assertThat(none.statusCode()).isEqualTo(200);
        assertThat(json(none).has("data")).isFalse();
        assertThat(json(none).at("/meta/result_count").asInt()).isZero();
        assertThat(json(none).at("/meta/sent").asText()).isNotEmpty();
        assertThat(none.headers().firstValue("x-rate-limit-remaining")).isPresent();

        JsonNode added = json(post("tweets/search/stream/rules", "{\"add\":[{\"value\":\"kafka\",\"tag\":\"kafka\"}]}"));
        String kafkaId = added.at("/data/0/id").asText();
        assertThat(kafkaId).isEqualTo("1866000000000000001");
        assertThat(added.at("/data/0/value").asText()).isEqualTo("kafka");
        assertThat(added.at("/data/0/tag").asText()).isEqualTo("kafka");
        assertThat(added.at("/meta/summary/created").asInt()).isEqualTo(1);
        assertThat(added.at("/meta/summary/invalid").asInt()).isZero();
        assertThat(x.rules()).containsExactly(new Rule(kafkaId, "kafka", "kafka"));

        JsonNode dryRun = json(post("tweets/search/stream/rules?dry_run=true", "{\"add\":[{\"value\":\"java\"}]}"));
        assertThat(dryRun.at("/data/0/id").asText()).isNotEmpty();
        assertThat(dryRun.at("/data/0/value").asText()).isEqualTo("java");
        assertThat(x.rules()).hasSize(1);

        x.refuseRulesContaining("has:geo");
        JsonNode mixed = json(post("tweets/search/stream/rules", "{\"add\":[{\"value\":\"rust\",\"tag\":\"rust\"},"
                + "{\"value\":\"maps has:geo\"},{\"value\":\"\"},{\"value\":\"" + "a".repeat(1025) + "\"},"
                + "{\"value\":\"kafka\",\"tag\":\"again\"}]}"));
        assertThat(mixed.get("data")).hasSize(1);
        assertThat(mixed.at("/data/0/value").asText()).isEqualTo("rust");
        assertThat(mixed.get("errors")).hasSize(4);
        for (int i = 0; i < 3; i++) {
            assertThat(mixed.at("/errors/" + i + "/title").asText()).isEqualTo("UnprocessableEntity");
            assertThat(mixed.at("/errors/" + i + "/type").asText()).isEqualTo("https://api.twitter.com/2/problems/invalid-rules");
            assertThat(mixed.at("/errors/" + i + "/details/0").asText()).isNotEmpty();
        }
        assertThat(mixed.at("/errors/0/value").asText()).isEqualTo("maps has:geo");
        assertThat(mixed.at("/errors/3/title").asText()).isEqualTo("DuplicateRule");
        assertThat(mixed.at("/errors/3/id").asText()).isEqualTo(kafkaId);
        assertThat(mixed.at("/meta/summary").toString())
                .isEqualTo("{\"created\":1,\"not_created\":4,\"valid\":1,\"invalid\":4}");

        JsonNode refusedDryRun = json(post("tweets/search/stream/rules?dry_run=true",
                "{\"add\":[{\"value\":\"again has:geo\"}]}"));
        assertThat(refusedDryRun.has("data")).isFalse();
        assertThat(refusedDryRun.at("/errors/0/title").asText()).isEqualTo("UnprocessableEntity");

        JsonNode listed = json(get("tweets/search/stream/rules", TOKEN));
        assertThat(listed.at("/meta/result_count").asInt()).isEqualTo(2);
        assertThat(listed.at("/data/0/id").asText()).isEqualTo(kafkaId);
        assertThat(listed.at("/data/1/value").asText()).isEqualTo("rust");

        JsonNode deleted = json(post("tweets/search/stream/rules", "{\"delete\":{\"ids\":[\"" + kafkaId + "\",\"42\"]}}"));
        assertThat(deleted.at("/meta/summary/deleted").asInt()).isEqualTo(1);
        assertThat(deleted.at("/meta/summary/not_deleted").asInt()).isEqualTo(1);
        assertThat(deleted.at("/errors/0/value").asText()).isEqualTo("42");
        assertThat(x.rules()).extracting(Rule::value).containsExactly("rust");

        HttpResponse<String> malformed = post("tweets/search/stream/rules", "{nope");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).path("title").asText()).isEqualTo("Invalid Request");
        assertThat(json(malformed).at("/errors/0/message").asText()).isNotEmpty();

        List<FakeXStream.Request> posts = x.requests(FakeXStream.RULES).stream()
                .filter(request -> request.method().equals("POST")).toList();
        assertThat(posts).hasSize(6);
        assertThat(posts.get(1).query()).containsEntry("dry_run", "true");
        assertThat(posts.get(0).body()).contains("\"kafka\"");
        assertThat(posts.get(0).headers()).containsEntry("authorization", "Bearer " + TOKEN);
    }

    @Test
    void recentSearchFiltersBySinceAndUntilIdAndPaginatesNewestFirst() throws Exception {
        x.addRule("kafka", "kafka");
        x.addRule("java", "java");
        List<Post> kafka = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            kafka.add(x.publish("kafka"));
            if (i % 8 == 0) {
                x.publish("java");
            }
        }
        assertThat(kafka).noneMatch(Post::streamed);
        String sinceId = kafka.get(2).id();
        List<String> expected = new ArrayList<>();
        for (int i = 24; i > 2; i--) {
            expected.add(kafka.get(i).id());
        }

        List<String> ids = new ArrayList<>();
        String nextToken = null;
        List<Integer> pageSizes = new ArrayList<>();
        do {
            HttpResponse<String> response = get("tweets/search/recent?query=kafka&since_id=" + sinceId
                    + "&max_results=10&tweet.fields=created_at,lang,author_id,entities&expansions=author_id"
                    + (nextToken == null ? "" : "&next_token=" + nextToken), TOKEN);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("x-rate-limit-remaining")).isPresent();
            JsonNode page = json(response);
            pageSizes.add(page.get("data").size());
            assertThat(page.at("/meta/result_count").asInt()).isEqualTo(page.get("data").size());
            assertThat(page.at("/meta/newest_id").asText()).isEqualTo(page.at("/data/0/id").asText());
            assertThat(page.at("/meta/oldest_id").asText())
                    .isEqualTo(page.get("data").get(page.get("data").size() - 1).get("id").asText());
            assertThat(page.at("/includes/users/0/username").asText()).isEqualTo("fake_author");
            page.get("data").forEach(tweet -> ids.add(tweet.get("id").asText()));
            nextToken = page.at("/meta/next_token").isTextual() ? page.at("/meta/next_token").asText() : null;
        } while (nextToken != null);
        assertThat(pageSizes).containsExactly(10, 10, 2);
        assertThat(ids).isEqualTo(expected);

        JsonNode newest = json(get("tweets/search/recent?query=kafka&max_results=10", TOKEN));
        assertThat(newest.at("/data/0")).isEqualTo(JSON.readTree(kafka.get(24).json()).get("data"));

        JsonNode until = json(get("tweets/search/recent?query=kafka&until_id=" + kafka.get(5).id()
                + "&since_id=" + kafka.get(1).id(), TOKEN));
        assertThat(until.get("data")).extracting(tweet -> tweet.get("id").asText())
                .containsExactly(kafka.get(4).id(), kafka.get(3).id(), kafka.get(2).id());
        assertThat(until.at("/meta/next_token").isMissingNode()).isTrue();

        JsonNode java = json(get("tweets/search/recent?query=java", TOKEN));
        assertThat(java.at("/meta/result_count").asInt()).isEqualTo(4);

        JsonNode nothing = json(get("tweets/search/recent?query=" + URLEncoder.encode("no such rule", StandardCharsets.UTF_8),
                TOKEN));
        assertThat(nothing.has("data")).isFalse();
        assertThat(nothing.has("includes")).isFalse();
        assertThat(nothing.at("/meta/result_count").asInt()).isZero();

        assertThat(get("tweets/search/recent?query=kafka&max_results=5", TOKEN).statusCode()).isEqualTo(400);
        assertThat(get("tweets/search/recent?since_id=1", TOKEN).statusCode()).isEqualTo(400);

        x.enqueueSearch(FakeXStream.serverError(), FakeXStream.rateLimited(5));
        assertThat(get("tweets/search/recent?query=kafka", TOKEN).statusCode()).isEqualTo(503);
        HttpResponse<String> limited = get("tweets/search/recent?query=kafka", TOKEN);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("x-rate-limit-remaining")).hasValue("0");
        assertThat(get("tweets/search/recent?query=kafka", TOKEN).statusCode()).isEqualTo(200);
        assertThat(x.requests(FakeXStream.SEARCH).get(0).query()).containsEntry("query", "kafka")
                .containsEntry("since_id", sinceId).containsEntry("tweet.fields", "created_at,lang,author_id,entities");
    }

    @Test
    void wrongOrMissingTokenGets401() throws Exception {
        x.addRule("kafka", "kafka");
        HttpResponse<String> wrong = get("tweets/search/stream/rules", "wrong");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).isEqualTo(FakeXStream.UNAUTHORIZED);
        assertThat(get("tweets/search/recent?query=kafka", "wrong").statusCode()).isEqualTo(401);

        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(x.baseUrl() + "tweets/search/stream"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(x.openStreams()).isZero();
        assertThat(x.streamConnects()).isEqualTo(1);

        x.setToken("other");
        assertThat(get("tweets/search/stream/rules", "other").statusCode()).isEqualTo(200);
        assertThat(get("tweets/search/stream/rules", TOKEN).statusCode()).isEqualTo(401);
        try (RawStream stream = RawStream.open(x, TOKEN)) {
            assertThat(stream.status).isEqualTo(401);
        }
        try (RawStream stream = RawStream.open(x, "other")) {
            assertThat(stream.status).isEqualTo(200);
        }
    }

    @Test
    void servesKeptAliveConnectionsAndClosesOnConnectionClose() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", x.port())) {
            socket.setSoTimeout(5_000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            String body = "{\"add\":[{\"value\":\"kafka\",\"tag\":\"kafka\"}]}";
            out.write(("POST /2/tweets/search/stream/rules HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            Head first = Head.read(in);
            assertThat(first.status).isEqualTo(200);
            assertThat(first.headers).containsEntry("connection", "keep-alive");
            assertThat(first.body).contains("\"created\":1");

            out.write(("GET /2/tweets/search/stream/rules HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            Head second = Head.read(in);
            assertThat(second.status).isEqualTo(200);
            assertThat(second.headers).containsEntry("connection", "close");
            assertThat(second.body).contains("\"value\":\"kafka\"");
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(x.requests()).extracting(FakeXStream.Request::method).containsExactly("POST", "GET");
    }

    @Test
    void closeEndsEveryThreadAndConnection() throws Exception {
        FakeXStream other = new FakeXStream();
        RawStream stalled;
        Socket idle = new Socket("127.0.0.1", other.port());
        try {
            other.addRule("kafka", "kafka");
            other.enqueue(live().stallAfter(0));
            stalled = RawStream.open(other, TOKEN);
            idle.getOutputStream().write(("GET /2/tweets/search/stream/rules HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + TOKEN + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            idle.setSoTimeout(5_000);
            assertThat(Head.read(new BufferedInputStream(idle.getInputStream())).status).isEqualTo(200);
            await().until(() -> threadsOf(other).size() == 3); // accept, stream, kept-alive connection
            assertThat(other.openStreams()).isEqualTo(1);
        } finally {
            other.close();
        }
        assertThat(threadsOf(other)).isEmpty();
        await().until(() -> stalled.failure != null);
        assertThat(idle.getInputStream().read()).isEqualTo(-1);
        idle.close();
        stalled.close();
        assertThatThrownBy(() -> new Socket("127.0.0.1", other.port()).close()).isInstanceOf(IOException.class);
    }

    // ---------------------------------------------------------------- helpers

    private static List<Thread> threadsOf(FakeXStream fake) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith(fake.threadPrefix()) && thread.isAlive()).toList();
    }

    private HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(x.baseUrl() + path)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(x.baseUrl() + path)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** A response head (and its Content-Length body) read off a raw socket. */
    private static final class Head {
        int status;
        final Map<String, String> headers = new LinkedHashMap<>();
        String body = "";

        static Head read(InputStream in) throws IOException {
            Head head = new Head();
            String statusLine = readLine(in);
            assertThat(statusLine).startsWith("HTTP/1.1 ");
            head.status = Integer.parseInt(statusLine.split(" ")[1]);
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                head.headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            if (head.headers.containsKey("content-length")) {
                head.body = new String(readBytes(in, Integer.parseInt(head.headers.get("content-length"))),
                        StandardCharsets.UTF_8);
            }
            return head;
        }
    }

    /** A stream connection on a raw socket; a thread collects the decoded chunks as they arrive. */
    private static final class RawStream implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final int status;
        final Map<String, String> headers;
        final List<String> chunks = new CopyOnWriteArrayList<>();
        volatile boolean cleanEnd;
        volatile boolean eof;
        volatile Throwable failure;
        private Thread reader;

        private RawStream(Socket socket, InputStream in, Head head) {
            this.socket = socket;
            this.in = in;
            this.status = head.status;
            this.headers = head.headers;
        }

        static RawStream open(FakeXStream fake, String token) throws IOException {
            Socket socket = new Socket("127.0.0.1", fake.port());
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /2/tweets/search/stream?tweet.fields=created_at,lang&expansions=author_id"
                    + " HTTP/1.1\r\nHost: 127.0.0.1:" + fake.port() + "\r\nAuthorization: Bearer " + token
                    + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            RawStream stream = new RawStream(socket, in, Head.read(in));
            if ("chunked".equals(stream.headers.get("transfer-encoding"))) {
                stream.reader = new Thread(stream::readChunks, "raw-stream-reader");
                stream.reader.setDaemon(true);
                stream.reader.start();
            }
            return stream;
        }

        private void readChunks() {
            try {
                while (true) {
                    int size = Integer.parseInt(readLine(in), 16);
                    if (size == 0) {
                        for (String trailer = readLine(in); !trailer.isEmpty(); trailer = readLine(in)) {
                            // none expected
                        }
                        cleanEnd = true;
                        eof = in.read() < 0;
                        return;
                    }
                    String chunk = new String(readBytes(in, size), StandardCharsets.UTF_8);
                    if (!readLine(in).isEmpty()) {
                        throw new IOException("chunk not followed by CRLF");
                    }
                    chunks.add(chunk);
                }
            } catch (Throwable e) {
                failure = e;
            }
        }

        String text() {
            return String.join("", chunks);
        }

        /** The complete lines that are JSON messages with data. */
        List<String> dataLines() {
            List<String> lines = new ArrayList<>();
            String text = text();
            int from = 0;
            for (int end = text.indexOf('\n'); end >= 0; from = end + 1, end = text.indexOf('\n', from)) {
                String line = text.substring(from, end).replaceFirst("\r$", "");
                if (line.startsWith("{\"data\"")) {
                    lines.add(line);
                }
            }
            return lines;
        }

        long keepAlives() {
            return chunks.stream().filter(chunk -> chunk.equals("\r\n")).count();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            if (reader != null) {
                try {
                    reader.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("end of stream within a line");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    private static byte[] readBytes(InputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length < n) {
            throw new EOFException("end of stream within " + n + " bytes");
        }
        return bytes;
    }
}
