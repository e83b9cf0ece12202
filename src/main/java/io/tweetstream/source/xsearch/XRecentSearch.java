package io.tweetstream.source.xsearch;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tweetstream.kafka.SourceCursors;
import io.tweetstream.source.x.V2Tweet;
import io.tweetstream.source.x.XProblem;
import io.tweetstream.source.x.cost.XPostReads;
import io.tweetstream.source.TweetSourceSettings;
import io.tweetstream.source.twitter.TwitterPollStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conversation of the {@code x-v2-search} route with {@code GET /2/tweets/search/recent}: which
 * request comes next, what each answer means, and the durable cursor.
 *
 * <p>A poll ({@link #begin}, then {@link #request}/{@link #response}/{@link #pageDone} per page
 * while {@link #hasNextPage}) asks for the tweets newer than the cursor ({@code since_id}) and
 * follows {@code meta.next_token} page by page, newest first. The newest id of the first page becomes
 * the cursor once the last page is in: the cursor is saved (in {@link SourceCursors}, a compacted
 * Kafka topic keyed by source and query) only then, and only after the route has handed every tweet
 * of the page to tweets-to-kafka, which returns once Kafka acknowledged it (or dropped it as already
 * published). A crash at any point thus re-fetches from the last saved cursor, and dedup drops what
 * was published already: no gap, no duplicate.
 *
 * <p>At most {@code maxPages} pages per poll; a longer pagination (a burst) goes on at the next poll
 * from its {@code next_token} (tokens do not expire), as does one cut by a failure. Without a cursor
 * (first start, or a {@code since_id} the API refuses because it is older than its 7-day window), the
 * newest {@code maxPages} pages are read and older tweets are not backfilled.
 *
 * <p>Failures and rate limits are told to the {@link TwitterPollStrategy}, which decides when the
 * next poll may go out and reports the API's condition to the health check and metrics.
 */
public class XRecentSearch {

    /** The path of recent search, below X_API_BASE_URL. */
    public static final String PATH = "tweets/search/recent";

    private static final Logger LOG = LoggerFactory.getLogger(XRecentSearch.class);

    /** A pagination not finished yet: the token of its next page, the newest id of its first page. */
    record Pagination(String nextToken, String newestId, boolean withoutCursor) {
    }

    private final ObjectMapper json = new ObjectMapper();
    private final Clock clock;

    private String source = "";
    private String query = "";
    private String keywords = "";
    private int maxResults = 100;
    private int maxPages = 5;
    private String apiBaseUrl = "https://api.x.com/2/";
    private long pollDelayMs;
    private Instant lastPollStarted;
    private TwitterPollStrategy pollStrategy;
    private SourceCursors cursors;
    private XPostReads postReads = new XPostReads();

    // what every tweet handed over so far allows (committed by pageDone)
    private boolean loaded;
    private String sinceId;
    private String savedSinceId;
    private Pagination pagination;
    private boolean cursorUnreadable;

    // the poll under way: its state after the last answer, committed once that page's tweets are handed over
    private String pollSinceId;
    private Pagination pollPagination;
    private int pages;
    private boolean more;
    private boolean awaitingAnswer;

    public XRecentSearch() {
        this(Clock.systemUTC());
    }

    XRecentSearch(Clock clock) {
        this.clock = clock;
    }

    /** Start-up check of the settings, when this source is the one in use. */
    public void check() {
        if (!TweetSourceSettings.X_V2_SEARCH.equals(source)) {
            return;
        }
        if (maxResults < 10 || maxResults > 100) {
            throw new IllegalArgumentException("X_MAX_RESULTS must be between 10 and 100 (the API's limits), not "
                    + maxResults);
        }
        if (maxPages < 1) {
            throw new IllegalArgumentException("X_MAX_PAGES must be at least 1, not " + maxPages);
        }
        if (effectiveQuery().isEmpty()) {
            throw new IllegalArgumentException("TWEETS_SOURCE=x-v2-search needs a search query: set X_QUERY (or"
                    + " TWITTER_KEYWORDS)");
        }
    }

    /**
     * Whether a poll starts now: not while the poll strategy waits (back-off, rate-limit reset,
     * refused access), not before the durable cursor could be read, and not while today's post reads
     * are at X_DAILY_POST_READS_BUDGET.
     */
    public synchronized boolean begin() {
        Instant now = clock.instant();
        if (lastPollStarted != null && now.isBefore(lastPollStarted.plusMillis(pollDelayMs))) {
            return false;
        }
        if (!pollStrategy.isDue() || !load() || !postReads.mayRead()) {
            return false;
        }
        lastPollStarted = now;
        pollSinceId = sinceId;
        pollPagination = pagination;
        pages = 0;
        more = true;
        return true;
    }

    /** Whether the poll asks for another page now (not once the last page reached the budget). */
    public synchronized boolean hasNextPage() {
        return more && pollStrategy.isDue() && postReads.mayRead();
    }

    /**
     * Prepares the next request: its query string (the camel-http endpoint is X_API_BASE_URL, the
     * route sets the path), no body. The bearer token is added by the HTTP client ({@link XApiClient}).
     */
    public synchronized void request(Exchange exchange) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("query", effectiveQuery());
        parameters.put("max_results", Integer.toString(maxResults));
        if (pollSinceId != null) {
            parameters.put("since_id", pollSinceId);
        }
        if (pollPagination != null) {
            parameters.put("next_token", pollPagination.nextToken());
        }
        parameters.putAll(V2Tweet.FIELDS);
        StringBuilder queryString = new StringBuilder();
        parameters.forEach((name, value) -> queryString.append(queryString.isEmpty() ? "" : "&").append(name)
                .append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20")));
        Message message = exchange.getMessage();
        message.setHeader(Exchange.HTTP_PATH, path());
        message.setHeader(Exchange.HTTP_RAW_QUERY, queryString.toString());
        message.setBody(null);
        awaitingAnswer = true;
    }

    /**
     * The request went unanswered (connection refused, time-out, TLS failure): a failure to back
     * off from.
     */
    public synchronized void noAnswer(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        awaitingAnswer = false;
        more = false;
        pollStrategy.failed(where(), -1, name -> null, "no answer (network error or time-out): "
                + (cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage()));
    }

    /** Reads the API's answer: the tweets of the page (none on a failure, which is told to the poll strategy). */
    public synchronized List<V2Tweet> response(Exchange exchange) {
        if (!awaitingAnswer) {
            return List.of();
        }
        awaitingAnswer = false;
        Message message = exchange.getMessage();
        Integer code = message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        int status = code == null ? -1 : code;
        byte[] body = message.getBody(byte[].class);
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        UnaryOperator<String> headers = name -> message.getHeader(name, String.class);
        JsonNode answer = parse(text);
        if (status == 200) {
            return page(answer, text, headers);
        }
        more = false;
        if (status == 400 && pollSinceId != null && names(answer, "since_id")) {
            LOG.warn("X API refuses since_id {} of the cursor (older than its 7-day search window: {}): continuing"
                    + " without it, from the newest tweets; tweets posted between that one and the newest {} page(s)"
                    + " are not fetched", pollSinceId, XProblem.of(answer, text), maxPages);
            pollSinceId = null;
            pollPagination = null;
            more = true;
            return List.of();
        }
        if (status == 400 && pollPagination != null && (names(answer, "next_token")
                || names(answer, "pagination_token"))) {
            LOG.warn("X API refuses the next_token of the pagination under way ({}): paging again from since_id {}",
                    XProblem.of(answer, text), pollSinceId);
            pollPagination = null;
            more = true;
            return List.of();
        }
        pollStrategy.failed(where(), status, headers, describe(status, answer, text));
        return List.of();
    }

    private List<V2Tweet> page(JsonNode answer, String text, UnaryOperator<String> headers) {
        JsonNode meta = answer == null ? null : answer.get("meta");
        if (meta == null || !meta.isObject() || answer.has("data") && !answer.get("data").isArray()) {
            more = false;
            pollStrategy.failed(where(), 200, headers, "malformed response (not the v2 JSON expected): "
                    + XProblem.excerpt(text));
            return List.of();
        }
        pages++;
        String newest = meta.hasNonNull("newest_id") ? meta.get("newest_id").asText() : null;
        if (newest != null && !V2Tweet.isTweetId(newest)) {
            more = false;
            pollStrategy.failed(where(), 200, headers, "malformed response (meta.newest_id is not a tweet id: "
                    + XProblem.excerpt(newest) + ")");
            return List.of();
        }
        String next = meta.hasNonNull("next_token") ? meta.get("next_token").asText() : null;
        Pagination current = pollPagination != null ? pollPagination : new Pagination(null, newest, pollSinceId == null);
        if (next != null && !(current.withoutCursor() && pages >= maxPages)) {
            pollPagination = new Pagination(next, current.newestId(), current.withoutCursor());
            more = pages < maxPages;
        } else {
            if (next != null) {
                LOG.info("X API search for '{}' without a cursor: read the newest {} page(s), older tweets are not"
                        + " backfilled", effectiveQuery(), pages);
            }
            pollPagination = null;
            pollSinceId = newer(pollSinceId, current.newestId());
            more = false;
        }
        List<V2Tweet> tweets = V2Tweet.of(answer);
        postReads.read(TweetSourceSettings.X_V2_SEARCH, PATH, tweets);
        pollStrategy.succeeded(where(), tweets.size(), headers);
        return tweets;
    }

    /**
     * When the page just read ends the pagination and moves the cursor: the cursor, as the exchange's
     * {@link SourceCursors#PENDING} cursor, to be published with the page's tweets (in their Kafka
     * transaction, with exactly-once publishing on).
     */
    public synchronized void pendingCursor(Exchange exchange) {
        if (pollPagination == null && pollSinceId != null && !pollSinceId.equals(savedSinceId)) {
            exchange.setProperty(SourceCursors.PENDING, cursors.pending(cursorKey(), cursorValue(pollSinceId)));
        }
    }

    /**
     * Every tweet of the last page was handed over (published, dropped as a duplicate or parked):
     * what the poll learnt so far becomes the state, and a finished pagination's cursor is saved.
     */
    public synchronized void pageDone(Exchange exchange) {
        SourceCursors.Cursor cursor = exchange.getProperty(SourceCursors.PENDING, SourceCursors.Cursor.class);
        exchange.removeProperty(SourceCursors.PENDING);
        sinceId = pollSinceId;
        pagination = pollPagination;
        if (sinceId != null && !sinceId.equals(savedSinceId)) {
            try {
                cursors.save(cursor != null ? cursor : cursors.pending(cursorKey(), cursorValue(sinceId)));
                savedSinceId = sinceId;
                LOG.debug("Cursor of '{}' saved: since_id {}", effectiveQuery(), sinceId);
            } catch (RuntimeException e) {
                LOG.warn("Could not save the cursor of '{}' (since_id {}): {}; tried again after the next page, a"
                        + " restart before that fetches again from since_id {} (tweets already published are"
                        + " dropped)", effectiveQuery(), sinceId, e.getMessage(), savedSinceId);
            }
        }
    }

    /** Reads the cursor once; until Kafka answers, no poll (polling without it could skip tweets). */
    private boolean load() {
        if (loaded) {
            return true;
        }
        try {
            Optional<String> saved = cursors.read(cursorKey());
            sinceId = saved.map(this::sinceIdOf).orElse(null);
            savedSinceId = sinceId;
            loaded = true;
            cursorUnreadable = false;
            if (sinceId != null) {
                LOG.info("X API v2 recent search for '{}': resuming after since_id {} (the saved cursor)",
                        effectiveQuery(), sinceId);
            } else {
                LOG.info("X API v2 recent search for '{}': no saved cursor, starting from the newest tweets",
                        effectiveQuery());
            }
            return true;
        } catch (RuntimeException e) {
            if (!cursorUnreadable) {
                LOG.warn("Cannot read the cursor of '{}' yet, no poll until it can be read: {}", effectiveQuery(),
                        e.getMessage());
            }
            cursorUnreadable = true;
            return false;
        }
    }

    private String sinceIdOf(String value) {
        JsonNode cursor = parse(value);
        JsonNode id = cursor == null ? null : cursor.get("sinceId");
        return id == null || id.isNull() || !V2Tweet.isTweetId(id.asText()) ? null : id.asText();
    }

    private String cursorValue(String id) {
        ObjectNode value = json.createObjectNode();
        value.put("source", TweetSourceSettings.X_V2_SEARCH);
        value.put("query", effectiveQuery());
        value.put("sinceId", id);
        value.put("savedAt", Instant.now(clock).toString());
        return value.toString();
    }

    /** The cursor's key: one per source and query (another query starts without a cursor). */
    String cursorKey() {
        return TweetSourceSettings.X_V2_SEARCH + ":" + effectiveQuery();
    }

    String effectiveQuery() {
        String q = query == null ? "" : query.strip();
        return q.isEmpty() ? (keywords == null ? "" : keywords.strip()) : q;
    }

    private static String newer(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return Long.parseLong(a) >= Long.parseLong(b) ? a : b;
    }

    /** Whether an error answer names this request parameter (the API's {@code errors[].parameters}). */
    private static boolean names(JsonNode answer, String parameter) {
        if (answer == null) {
            return false;
        }
        for (JsonNode error : answer.path("errors")) {
            if (error.path("parameters").has(parameter) || error.path("parameter").asText("").equals(parameter)) {
                return true;
            }
        }
        return false;
    }

    private String describe(int status, JsonNode answer, String text) {
        String problem = XProblem.of(answer, text);
        if (status >= 500) {
            return "HTTP " + status + " (server error)" + (problem.isEmpty() ? "" : ": " + problem);
        }
        if (status == 400) {
            return "HTTP 400, the API refuses the request (check X_QUERY, X_MAX_RESULTS): " + problem;
        }
        if (status == 404) {
            return "HTTP 404 (check X_API_BASE_URL, now " + apiBaseUrl + "): " + problem;
        }
        return "HTTP " + status + (problem.isEmpty() ? "" : ": " + problem);
    }

    private JsonNode parse(String text) {
        try {
            return text == null || text.isBlank() ? null : json.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    private String where() {
        return (apiBaseUrl.endsWith("/") ? apiBaseUrl : apiBaseUrl + "/") + path();
    }

    /**
     * The request path after X_API_BASE_URL: {@code tweets/search/recent} after a base that names
     * the API version ({@code https://api.x.com/2/}), {@code 2/tweets/search/recent} after a bare
     * host ({@code http://127.0.0.1:8089}).
     */
    String path() {
        return io.tweetstream.source.x.XApiPath.below(apiBaseUrl, PATH);
    }

    /** The saved cursor (for tests and the health details). */
    synchronized String sinceId() {
        return sinceId;
    }

    public void setSource(String source) {
        this.source = source;
    }

    public void setQuery(String query) {
        this.query = query;
    }

    public void setKeywords(String keywords) {
        this.keywords = keywords;
    }

    public void setMaxResults(int maxResults) {
        this.maxResults = maxResults;
    }

    public void setMaxPages(int maxPages) {
        this.maxPages = maxPages;
    }

    /** The least time between the starts of two polls (TWITTER_POLL_DELAY). */
    public void setPollDelayMs(long pollDelayMs) {
        this.pollDelayMs = pollDelayMs;
    }

    public void setApiBaseUrl(String apiBaseUrl) {
        this.apiBaseUrl = apiBaseUrl == null ? "" : apiBaseUrl.strip();
    }

    public void setPollStrategy(TwitterPollStrategy pollStrategy) {
        this.pollStrategy = pollStrategy;
    }

    public void setCursors(SourceCursors cursors) {
        this.cursors = cursors;
    }

    /** Counts the posts of each page and tells when the daily budget stops the polls. */
    public void setPostReads(XPostReads postReads) {
        this.postReads = postReads;
    }
}
