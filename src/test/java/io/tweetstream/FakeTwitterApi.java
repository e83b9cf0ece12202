package io.tweetstream;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * A fake Twitter API v1.1 on 127.0.0.1 (WireMock) answering with the JSON twitter4j parses. Each
 * endpoint plays a script of answers, one per request, the last one repeated.
 */
public final class FakeTwitterApi implements AutoCloseable {

    public static final String SEARCH = "/1.1/search/tweets.json";
    public static final String USER_TIMELINE = "/1.1/statuses/user_timeline.json";

    private final WireMockServer server;

    public FakeTwitterApi() {
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
    }

    /** The REST base URL to give the app (TWITTER_API_BASE_URL). */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.port() + "/1.1/";
    }

    /** Replaces the script of answers of one endpoint. */
    public void script(String path, List<ResponseDefinitionBuilder> answers) {
        server.resetAll();
        String scenario = "script " + path;
        for (int i = 0; i < answers.size(); i++) {
            var mapping = get(urlPathEqualTo(path)).inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "answer " + i);
            if (i < answers.size() - 1) {
                mapping.willSetStateTo("answer " + (i + 1));
            }
            server.stubFor(mapping.willReturn(answers.get(i)));
        }
    }

    public List<LoggedRequest> requests() {
        return server.findAll(anyRequestedFor(anyUrl()));
    }

    /** A search page holding these v1.1 statuses, as {@code search/tweets.json} answers. */
    public static ResponseDefinitionBuilder searchPage(List<JsonNode> statuses, String query) {
        ObjectNode body = Tweets.JSON.createObjectNode();
        ArrayNode array = body.putArray("statuses");
        statuses.forEach(array::add);
        long maxId = statuses.stream().mapToLong(s -> s.get("id").asLong()).max().orElse(0);
        ObjectNode metadata = body.putObject("search_metadata");
        metadata.put("completed_in", 0.021);
        metadata.put("max_id", maxId);
        metadata.put("max_id_str", Long.toString(maxId));
        metadata.put("query", query);
        metadata.put("refresh_url", "?since_id=" + maxId + "&q=" + query + "&include_entities=1");
        metadata.put("count", statuses.size());
        metadata.put("since_id", 0);
        metadata.put("since_id_str", "0");
        return ok(body.toString());
    }

    /** A timeline page: a JSON array of v1.1 statuses. */
    public static ResponseDefinitionBuilder timelinePage(List<JsonNode> statuses) {
        ArrayNode array = Tweets.JSON.createArrayNode();
        statuses.forEach(array::add);
        return ok(array.toString());
    }

    public static ResponseDefinitionBuilder rateLimited(Instant reset) {
        return aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                .withHeader("x-rate-limit-limit", "180").withHeader("x-rate-limit-remaining", "0")
                .withHeader("x-rate-limit-reset", Long.toString(reset.getEpochSecond()))
                .withBody("{\"errors\":[{\"code\":88,\"message\":\"Rate limit exceeded\"}]}");
    }

    public static ResponseDefinitionBuilder serverError() {
        return aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                .withBody("{\"errors\":[{\"code\":131,\"message\":\"Internal error\"}]}");
    }

    public static ResponseDefinitionBuilder unauthorized() {
        return aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                .withBody("{\"errors\":[{\"code\":32,\"message\":\"Could not authenticate you.\"}]}");
    }

    public static ResponseDefinitionBuilder malformed() {
        return ok("{\"statuses\":[{\"created_at\":\"Wed Nov 25 10:00:00 +0000 2026\",\"id\":12");
    }

    private static ResponseDefinitionBuilder ok(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json;charset=utf-8")
                .withHeader("x-rate-limit-limit", "180").withHeader("x-rate-limit-remaining", "170")
                .withBody(body);
    }

    /** Sample tweets {@code from} (inclusive) to {@code to} (exclusive), newest first as the API sends them. */
    public static List<JsonNode> sampleTweets(int from, int to) {
        List<String> lines = Tweets.sampleLines();
        List<JsonNode> tweets = new ArrayList<>();
        for (int i = to - 1; i >= from; i--) {
            try {
                tweets.add(Tweets.JSON.readTree(lines.get(i)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return tweets;
    }

    @Override
    public void close() {
        server.stop();
    }
}
