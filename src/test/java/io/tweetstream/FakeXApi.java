package io.tweetstream;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * A fake X API v2 recent search on 127.0.0.1 (WireMock), answering with the JSON fixtures of
 * {@code src/test/resources/x-v2/}. Answers are chosen by the request's {@code since_id} and
 * {@code next_token}, as the real API's would be; a script plays answers one per request, the
 * last one repeated. {@code GET /2/usage/tweets} answers the project's usage ({@link #usage}; by
 * default 0 of 3,000,000), also after {@link #reset}.
 */
public final class FakeXApi implements AutoCloseable {

    public static final String SEARCH = "/2/tweets/search/recent";
    public static final String USAGE = "/2/usage/tweets";
    public static final String NEXT_TOKEN = "b26v89c19zqg8o3fpzhnxb7y8lxhvi8h0uwb8jvkhvvyl";
    /** The posts of the fixture search-page-1 (the newest page, with {@link #NEXT_TOKEN}). */
    public static final Set<String> PAGE_1 = Set.of("1861400000000000010", "1861400000000000009",
            "1861400000000000008", "1861400000000000007", "1861400000000000006");
    /** The posts of search-page-2, the page after {@link #NEXT_TOKEN}. */
    public static final Set<String> PAGE_2 = Set.of("1861400000000000005", "1861400000000000004",
            "1861400000000000003");
    /** The posts of search-newer, newer than {@link #NEWEST_OF_PAGE_1}. */
    public static final Set<String> NEWER = Set.of("1861400000000000013", "1861400000000000012",
            "1861400000000000011");
    /** The newest post of search-page-1: the cursor after its pagination. */
    public static final String NEWEST_OF_PAGE_1 = "1861400000000000010";

    private final WireMockServer server;

    public FakeXApi() {
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        answerUsage(usage(0, 3_000_000, 17));
    }

    /** The base URL to give the app (X_API_BASE_URL). */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.port() + "/2/";
    }

    /**
     * Answers a search with this {@code since_id} (null: none) and {@code next_token} (null: none):
     * the first page of tweets newer than the cursor, or a next page.
     */
    public void answer(String sinceId, String nextToken, ResponseDefinitionBuilder response) {
        server.stubFor(search(sinceId, nextToken).willReturn(response));
    }

    /** Plays these answers to searches with this {@code since_id} and {@code next_token}, one per request. */
    public void script(String sinceId, String nextToken, List<ResponseDefinitionBuilder> answers) {
        String scenario = "script " + sinceId + " " + nextToken;
        for (int i = 0; i < answers.size(); i++) {
            var mapping = search(sinceId, nextToken).inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "answer " + i);
            if (i < answers.size() - 1) {
                mapping.willSetStateTo("answer " + (i + 1));
            }
            server.stubFor(mapping.willReturn(answers.get(i)));
        }
    }

    /** Answers the usage endpoint so from now on. */
    public void answerUsage(ResponseDefinitionBuilder response) {
        server.stubFor(get(urlPathEqualTo(USAGE)).willReturn(response));
    }

    /** Plays these answers to the usage endpoint, one per request, the last one repeated. */
    public void scriptUsage(List<ResponseDefinitionBuilder> answers) {
        for (int i = 0; i < answers.size(); i++) {
            var mapping = get(urlPathEqualTo(USAGE)).inScenario("usage")
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "answer " + i);
            if (i < answers.size() - 1) {
                mapping.willSetStateTo("answer " + (i + 1));
            }
            server.stubFor(mapping.willReturn(answers.get(i)));
        }
    }

    /** Forgets every answer and request (the usage endpoint answers its default again). */
    public void reset() {
        server.resetAll();
        answerUsage(usage(0, 3_000_000, 17));
    }

    /** The searches the fake API received (not the usage polls). */
    public List<LoggedRequest> requests() {
        return server.findAll(getRequestedFor(urlPathEqualTo(SEARCH)));
    }

    /** The polls of the usage endpoint. */
    public List<LoggedRequest> usageRequests() {
        return server.findAll(getRequestedFor(urlPathEqualTo(USAGE)));
    }

    /** A header of the answer this request got (templated headers as sent). */
    public String responseHeader(LoggedRequest request, String name) {
        return server.getAllServeEvents().stream().filter(event -> event.getRequest().getId().equals(request.getId()))
                .findFirst().orElseThrow().getResponse().getHeaders().getHeader(name).firstValue();
    }

    private static MappingBuilder search(String sinceId, String nextToken) {
        return get(urlPathEqualTo(SEARCH))
                .withQueryParam("since_id", sinceId == null ? absent() : equalTo(sinceId))
                .withQueryParam("next_token", nextToken == null ? absent() : equalTo(nextToken));
    }

    /** A 200 answer with the fixture {@code x-v2/NAME.json}, and requests left in the rate-limit window. */
    public static ResponseDefinitionBuilder page(String fixture) {
        return json(200, fixture).withHeader("x-rate-limit-limit", "60").withHeader("x-rate-limit-remaining", "59")
                .withHeader("x-rate-limit-reset", Long.toString(Instant.now().plusSeconds(900).getEpochSecond()));
    }

    public static ResponseDefinitionBuilder rateLimited(Instant reset) {
        return json(429, "error-429").withHeader("x-rate-limit-limit", "60").withHeader("x-rate-limit-remaining", "0")
                .withHeader("x-rate-limit-reset", Long.toString(reset.getEpochSecond()));
    }

    /** A 429 whose x-rate-limit-reset is this many seconds after the moment it is answered. */
    public static ResponseDefinitionBuilder rateLimitedFor(int seconds) {
        return json(429, "error-429").withHeader("x-rate-limit-limit", "60").withHeader("x-rate-limit-remaining", "0")
                .withHeader("x-rate-limit-reset", "{{now offset='" + seconds + " seconds' format='unix'}}")
                .withTransformers("response-template");
    }

    /** A 200 of the usage endpoint in X's shape (project_usage and project_cap as strings). */
    public static ResponseDefinitionBuilder usage(long used, long cap, int capResetDay) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8")
                .withBody(FakeXStream.usageBody(used, cap, capResetDay));
    }

    public static ResponseDefinitionBuilder serverError() {
        return json(503, "error-503");
    }

    public static ResponseDefinitionBuilder unauthorized() {
        return json(401, "error-401");
    }

    public static ResponseDefinitionBuilder sinceIdTooOld() {
        return json(400, "error-400-since-id");
    }

    /**
     * A search result of {@code count} generated posts, ids {@code firstId} to {@code firstId + count - 1},
     * served newest first in pages of {@code perPage} (next_token {@code page-2}, ...), each answered
     * after {@code delayMs}; searches since the newest id find nothing. Returns the ids.
     */
    public java.util.Set<String> timeline(long firstId, int count, int perPage, int delayMs) {
        java.util.Set<String> ids = new java.util.LinkedHashSet<>();
        long newest = firstId + count - 1;
        int pages = (count + perPage - 1) / perPage;
        for (int page = 1; page <= pages; page++) {
            com.fasterxml.jackson.databind.node.ObjectNode answer = Tweets.JSON.createObjectNode();
            var data = answer.putArray("data");
            long top = newest - (long) (page - 1) * perPage;
            long bottom = Math.max(firstId, top - perPage + 1);
            for (long id = top; id >= bottom; id--) {
                ids.add(Long.toString(id));
                data.addObject().put("id", Long.toString(id)).put("text", "post " + id + " about #kafka")
                        .put("author_id", "2244994945").put("created_at", "2026-11-25T10:00:00.000Z").put("lang", "en");
            }
            answer.putObject("includes").putArray("users").addObject().put("id", "2244994945")
                    .put("name", "Linus K.").put("username", "linus_k");
            var meta = answer.putObject("meta").put("newest_id", Long.toString(top)).put("oldest_id", Long.toString(bottom))
                    .put("result_count", top - bottom + 1);
            if (page < pages) {
                meta.put("next_token", "page-" + (page + 1));
            }
            server.stubFor(search(null, page == 1 ? null : "page-" + page).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json; charset=utf-8").withBody(answer.toString())
                    .withFixedDelay(delayMs)));
        }
        server.stubFor(search(Long.toString(newest), null).willReturn(json(200, "search-empty")));
        return ids;
    }

    private static ResponseDefinitionBuilder json(int status, String fixture) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=utf-8")
                .withBody(Tweets.v2Fixture(fixture));
    }

    @Override
    public void close() {
        server.stop();
    }
}
