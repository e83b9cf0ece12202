package io.tweetstream.source.xstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tweetstream.kafka.SourceCursors;
import io.tweetstream.source.ApiSourceStatus;
import io.tweetstream.source.Backoff;
import io.tweetstream.source.RateLimitHeaders;
import io.tweetstream.source.SourceSetting;
import io.tweetstream.source.TweetSourceSettings;
import io.tweetstream.source.x.V2Tweet;
import io.tweetstream.source.x.XApiClient;
import io.tweetstream.source.x.XProblem;
import io.tweetstream.source.x.cost.XPostReads;
import io.tweetstream.source.Pause;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.apache.camel.component.seda.SedaEndpoint;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection of {@code x-v2-stream} to {@code GET /2/tweets/search/stream}, held open as X
 * documents it, on one thread of its own that only frames lines: each line with a post goes into
 * the bounded queue of {@code x-v2-stream-source} (a seda endpoint that blocks when full, so a slow
 * Kafka stops the reading and TCP holds the stream back; nothing is dropped). The route takes the
 * posts from there, many in flight, and reports each one done ({@link StreamMessages}).
 *
 * <ul>
 * <li>Rules: synced before the first connection ({@link StreamRules}); an invalid rule stops
 * start-up; no rules at all (409) is a configuration error: one ERROR line, readiness DOWN, a slow
 * retry, never a reconnect loop.</li>
 * <li>Stall: no byte (post or {@code \r\n} keep-alive) for {@code X_STREAM_STALL_TIMEOUT_MS}: the
 * socket read times out, the connection is closed and opened again.</li>
 * <li>Drops and in-stream {@code operational-disconnect} errors: reconnect at once, then the
 * back-off of {@link StreamBackoff}; HTTP, network and 429 failures each by their own schedule;
 * TooManyConnections, a rate limit (until {@code x-rate-limit-reset}) and a usage cap told apart;
 * 401/403 one ERROR line, readiness DOWN, a retry every {@code TWITTER_REFUSED_RETRY_MS}.</li>
 * <li>Gaps: the newest post id done is kept durably ({@link StreamCursor}); after any gap (a
 * reconnect, a restart, a crash) {@link StreamGapFill} fills it from recent search while the stream
 * runs again, dedup dropping what both delivered; with {@code X_STREAM_BACKFILL_MINUTES} a reconnect
 * also asks for {@code backfill_minutes} (Enterprise).</li>
 * <li>Shutdown: reading stops when the Camel context begins to stop, before the routes stop, so the
 * queue is drained to Kafka and nothing read is lost.</li>
 * </ul>
 * The bearer token goes only into the {@code Authorization} header ({@link XApiClient}).
 */
public class XFilteredStream extends EventNotifierSupport implements ApiSourceStatus, CamelContextAware {

    /** The path of the stream, below X_API_BASE_URL. */
    public static final String PATH = "tweets/search/stream";

    private static final Logger LOG = LoggerFactory.getLogger(XFilteredStream.class);
    /** A line longer than this is no post of X's; it is parked cut to this length. */
    private static final int MAX_LINE_BYTES = 8 * 1024 * 1024;

    /** What the stream is doing, for readiness and the health details. */
    public enum Condition { STARTING, CONNECTING, CONNECTED, WAITING, RATE_LIMITED, TOO_MANY_CONNECTIONS, USAGE_CAPPED,
        REFUSED, NO_RULES, INVALID_RULES, BUDGET_PAUSED, STOPPED }

    /** Why a connection ended. */
    enum End { DROP, STALL, OPERATIONAL_DISCONNECT, BUDGET, STOPPED }

    private final Clock clock;
    private CamelContext camelContext;

    // settings
    private String source = "";
    private String rulesJson = "";
    private String query = "";
    private String keywords = "";
    private String rulesSync = "replace";
    private String apiBaseUrl = "https://api.x.com/2/";
    private long timeoutMs = 30_000;
    private long stallTimeoutMs = 30_000;
    private long backoffNetworkMs = 250;
    private long backoffHttpMs = 5_000;
    private long backoffRateLimitMs = 60_000;
    private long backoffMaxMs = 320_000;
    private long healthyAfterMs = 30_000;
    private long notReadyAfterMs = 120_000;
    private long refusedRetryMs = 300_000;
    private long cursorWaitMs = 2_000;
    private int backfillMinutes;
    private boolean gapFillEnabled = true;
    private int gapFillMaxPages = 10;
    private long cursorSaveIntervalMs = 1_000;
    private String queueUri = "seda:x-v2-stream";
    private SourceCursors cursors;
    private XApiClient apiClient;
    private XPostReads postReads = new XPostReads();

    // parts
    private StreamRules rules;
    private StreamBackoff backoff;
    private StreamCursor cursor;
    private StreamGapFill gapFill;
    private XApiHttp http;
    private ProducerTemplate template;

    // state
    private volatile boolean running;
    private volatile boolean closed;
    private volatile Thread reader;
    private volatile HttpGet current;
    private final Pause pause = new Pause();
    private volatile Condition condition = Condition.STARTING;
    private volatile String message = "not connected yet";
    private volatile int lastStatus;
    private volatile Instant disconnectedSince;
    private volatile Instant connectedAt;
    private volatile Instant firstConnectedAt;
    private volatile long lastByteNanos = System.nanoTime();
    private volatile boolean anyByte;
    private volatile boolean rulesReady;
    private volatile boolean backfillAllowed = true;
    private boolean cursorLoaded;
    private boolean cursorWarned;
    private Instant outageStart;
    private Condition loggedProblem;

    // meters
    private volatile MeterRegistry registry;
    private Counter connects;
    private Counter keepAlives;
    private final Map<String, Counter> disconnects = new ConcurrentHashMap<>();

    public XFilteredStream() {
        this(Clock.systemUTC());
    }

    public XFilteredStream(Clock clock) {
        this.clock = clock;
    }

    /**
     * Start-up, when this source is the one in use: checks the settings and builds the rules; an
     * invalid setting or rule stops start-up. The rules are synced with X when the context starts
     * ({@link #doStart}): camel-main creates the beans of the route files twice (it reads them once
     * ahead) and closes the first instance, which must not have talked to X.
     */
    public void check() {
        if (!serves(source)) {
            return;
        }
        if (backfillMinutes > 5) {
            LOG.warn("X_STREAM_BACKFILL_MINUTES={}: X backfills at most 5 minutes, using 5", backfillMinutes);
            backfillMinutes = 5;
        }
        rules = new StreamRules(StreamRules.configured(rulesJson, query, keywords), StreamRules.sync(rulesSync));
        backoff = new StreamBackoff(Duration.ofMillis(backoffNetworkMs), Duration.ofMillis(backoffHttpMs),
                Duration.ofMillis(backoffRateLimitMs), Duration.ofMillis(backoffMaxMs), Duration.ofMillis(healthyAfterMs));
        http = new XApiHttp(apiBaseUrl, apiClient, Duration.ofMillis(timeoutMs));
        disconnectedSince = clock.instant();
        if (camelContext != null) {
            camelContext.getManagementStrategy().addEventNotifier(this);
        }
    }

    /**
     * As the context starts: the rules are validated and synced once; one that X refuses stops
     * start-up. An API that does not answer or refuses access is retried by the connection thread.
     */
    @Override
    protected void doStart() throws Exception {
        super.doStart();
        if (rules != null && !closed) {
            LOG.info("X filtered stream at {}: {} rule(s) {}, sync {}, stall time-out {} ms, gap fill {}", where(),
                    rules.rules().size(), rules.rules(), rules.mode().name().toLowerCase(Locale.ROOT), stallTimeoutMs,
                    gapFillEnabled ? "on" : "off (X_STREAM_GAP_FILL=false: posts of a gap are not recovered)");
            syncRules();
        }
    }

    /** Starts reading once the routes run; stops reading as soon as the context begins to stop. */
    @Override
    public void notify(CamelEvent event) {
        if (event instanceof CamelEvent.CamelContextStartedEvent) {
            startReading();
        } else if (event instanceof CamelEvent.CamelContextStoppingEvent) {
            stopReading();
        }
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.CamelContextStartedEvent || event instanceof CamelEvent.CamelContextStoppingEvent;
    }

    synchronized void startReading() {
        if (running || rules == null || closed) {
            return;
        }
        running = true;
        cursor = new StreamCursor(cursors, cursorSaveIntervalMs, clock);
        gapFill = new StreamGapFill(http, rules, cursor, this::enqueue, Duration.ofMillis(backoffHttpMs),
                Duration.ofMillis(backoffMaxMs), gapFillMaxPages, clock);
        gapFill.readsCountedBy(postReads);
        template = camelContext.createProducerTemplate();
        meters();
        reader = new Thread(this::run, "x-v2-stream");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Stops reading: the connection is closed at once (whatever is still queued is handed to Kafka by
     * the route, which the context stops after this), gap fill stops, the cursor is saved.
     */
    public void stopReading() {
        Thread thread;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            thread = reader;
        }
        condition = Condition.STOPPED;
        pause.wake();
        HttpGet request = current;
        if (request != null) {
            request.cancel();
        }
        if (gapFill != null) {
            gapFill.stop();
        }
        if (thread != null) {
            try {
                thread.join(Math.max(5_000, timeoutMs));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.info("X filtered stream closed; {} post(s) still queued are handed to Kafka before the route stops",
                cursor.outstanding());
    }

    /** Destroy: reading stopped, the cursor saved, the HTTP client closed. */
    public void close() {
        synchronized (this) {
            closed = true;
        }
        if (camelContext != null) {
            camelContext.getManagementStrategy().removeEventNotifier(this);
        }
        stopReading();
        if (cursor != null) {
            cursor.save();
        }
        if (http != null) {
            try {
                http.close();
            } catch (IOException e) {
                LOG.debug("Closing the X API client", e);
            }
        }
        if (template != null) {
            try {
                template.stop();
            } catch (RuntimeException e) {
                LOG.debug("Stopping the producer template", e);
            }
        }
    }

    private void run() {
        while (running) {
            try {
                if (!rulesReady && !syncRules()) {
                    continue;
                }
                if (!loadCursor()) {
                    continue;
                }
                if (!postReads.mayRead()) {
                    budgetPause();
                    continue;
                }
                connectAndRead();
            } catch (RuntimeException e) {
                // never let the reader die: a surprise is a network-like failure
                failed(StreamBackoff.Failure.NETWORK, -1, "network", "unexpected " + e);
            }
        }
        condition = Condition.STOPPED;
    }

    /** Syncs the rules; false (after a wait) when it could not. */
    private boolean syncRules() {
        try {
            rules.apply(http);
            rulesReady = true;
            if (condition == Condition.INVALID_RULES || condition == Condition.NO_RULES) {
                condition = Condition.CONNECTING;
            }
            return true;
        } catch (StreamRules.InvalidRulesException e) {
            if (!running) {
                throw e;
            }
            problem(Condition.INVALID_RULES, 0, e.getMessage() + "; fix X_STREAM_RULES (or X_QUERY) and restart");
            pause(Duration.ofMillis(refusedRetryMs));
            return false;
        } catch (StreamRules.RulesApiException e) {
            XApiHttp.Answer answer = e.answer();
            if (!running) {
                LOG.warn("X stream rules could not be synced at start-up ({}, {}): tried again before connecting",
                        e.getMessage(), XProblem.of(StreamRules.parse(answer.body()), answer.body()));
                return false;
            }
            httpFailure(answer.status(), answer.header(), StreamRules.parse(answer.body()), answer.body(),
                    http.url(StreamRules.PATH, Map.of()) + " (" + e.doing() + ")");
            return false;
        } catch (IOException e) {
            if (!running) {
                LOG.warn("X stream rules could not be synced at start-up (no answer from {}: {}): tried again before"
                        + " connecting", http.url(StreamRules.PATH, Map.of()), e.toString());
                return false;
            }
            failed(StreamBackoff.Failure.NETWORK, -1, "network", "no answer from " + http.url(StreamRules.PATH, Map.of())
                    + " (network error or time-out: " + e + ")");
            return false;
        }
    }

    /** Reads the durable cursor once: a restart is a gap to fill from it. */
    private boolean loadCursor() {
        if (cursorLoaded) {
            return true;
        }
        try {
            Optional<StreamCursor.Saved> saved = cursor.load();
            cursorLoaded = true;
            if (saved.isPresent()) {
                outageStart = saved.get().savedAt();
                LOG.info("X filtered stream: the last run got to post {} (saved {}){}", saved.get().lastId(),
                        saved.get().savedAt(), gapFillEnabled ? "; the gap since then is filled from recent search"
                                : "; X_STREAM_GAP_FILL=false: posts of the gap are not recovered");
                if (gapFillEnabled) {
                    cursor.hold(saved.get().lastId());
                }
            } else {
                LOG.info("X filtered stream: no saved cursor, starting with the posts from now on");
            }
            return true;
        } catch (RuntimeException e) {
            if (!cursorWarned) {
                LOG.warn("Cannot read the cursor of the X stream yet ({}): not connecting until it can be read (the"
                        + " gap since the last run could not be filled)", e.getMessage());
                cursorWarned = true;
            }
            pause(Duration.ofMillis(cursorWaitMs));
            return false;
        }
    }

    private void connectAndRead() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.putAll(V2Tweet.FIELDS);
        Integer backfill = backfill();
        if (backfill != null) {
            parameters.put("backfill_minutes", Integer.toString(backfill));
        }
        HttpGet request = new HttpGet(http.url(PATH, parameters));
        current = request;
        condition = condition == Condition.STARTING ? Condition.CONNECTING : condition;
        if (!running) {
            return;
        }
        ClassicHttpResponse response;
        try {
            response = http.open(request, Duration.ofMillis(stallTimeoutMs));
        } catch (IOException e) {
            current = null;
            if (running) {
                failed(StreamBackoff.Failure.NETWORK, -1, "network", "no answer from " + where() + " (network error or"
                        + " time-out: " + e + ")");
            }
            return;
        }
        try {
            int status = response.getCode();
            if (status != 200) {
                String body = body(response);
                JsonNode answer = StreamRules.parse(body);
                UnaryOperator<String> headers = name -> XApiHttp.headers(response).get(name.toLowerCase(Locale.ROOT));
                if (status == 400 && backfill != null && body.contains("backfill_minutes")) {
                    backfillAllowed = false;
                    LOG.warn("X refuses backfill_minutes (HTTP 400: {}): X_STREAM_BACKFILL_MINUTES needs Enterprise"
                            + " access; connecting without it from now on (gap fill still covers gaps)", XProblem.of(answer, body));
                    return;
                }
                httpFailure(status, headers, answer, body, where());
                return;
            }
            connected(backfill);
            End end = read(response.getEntity().getContent());
            disconnected(end);
        } catch (SocketTimeoutException e) {
            disconnected(End.STALL);
        } catch (IOException e) {
            disconnected(running ? End.DROP : End.STOPPED);
        } finally {
            current = null;
            request.cancel();
            try {
                response.close();
            } catch (IOException e) {
                LOG.debug("Closing the stream", e);
            }
        }
    }

    /** backfill_minutes for this connection: the outage in whole minutes, at most the setting and 5. */
    private Integer backfill() {
        if (backfillMinutes <= 0 || !backfillAllowed || outageStart == null) {
            return null;
        }
        long outageSeconds = Duration.between(outageStart, clock.instant()).toSeconds();
        long minutes = Math.max(1, (outageSeconds + 59) / 60);
        return (int) Math.min(Math.min(minutes, backfillMinutes), 5);
    }

    private void connected(Integer backfill) {
        Instant now = clock.instant();
        Instant since = disconnectedSince;
        connectedAt = now;
        disconnectedSince = null;
        lastByteNanos = System.nanoTime();
        anyByte = false;
        condition = Condition.CONNECTED;
        lastStatus = 200;
        message = "connected since " + now;
        loggedProblem = null;
        if (connects != null) {
            connects.increment();
        }
        LOG.info("Connected to the X filtered stream at {} ({} rule(s){}){}", where(), rules.live().size(),
                backfill == null ? "" : ", backfill_minutes " + backfill,
                since == null ? "" : " after " + Backoff.describe(Duration.between(since, now)) + " without it");
        if (firstConnectedAt == null) {
            firstConnectedAt = now;
        }
        if (gapFillEnabled && cursor.gapOpen()) {
            gapFill.fill();
        }
    }

    /** Frames lines; returns why the connection ended. A read that times out is a stall (thrown). */
    private End read(InputStream in) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        byte[] line = new byte[8 * 1024];
        int length = 0;
        boolean overlong = false;
        while (running) {
            int n = in.read(buffer);
            if (n < 0) {
                return running ? End.DROP : End.STOPPED;
            }
            lastByteNanos = System.nanoTime();
            anyByte = true;
            healthyYet();
            for (int i = 0; i < n; i++) {
                byte b = buffer[i];
                if (b != '\n') {
                    if (length == line.length) {
                        if (length >= MAX_LINE_BYTES) {
                            overlong = true;
                            continue;
                        }
                        line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, line.length * 2));
                    }
                    line[length++] = b;
                    continue;
                }
                int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
                String text = new String(line, 0, end, StandardCharsets.UTF_8);
                length = 0;
                if (overlong) {
                    overlong = false;
                    LOG.warn("The X stream sent a line of more than {} bytes: parked cut to that length", MAX_LINE_BYTES);
                }
                End ended = line(text);
                if (ended != null) {
                    return ended;
                }
                if (!postReads.mayRead()) {
                    return End.BUDGET;
                }
            }
        }
        return End.STOPPED;
    }

    /** One line: a keep-alive, an error message, or what goes to the queue (a post, or a line to park). */
    private End line(String text) {
        if (text.isBlank()) {
            if (keepAlives != null) {
                keepAlives.increment();
            }
            cursor.saveIfDue();
            return null;
        }
        if (!text.contains("\"data\"")) {
            JsonNode message = StreamRules.parse(text);
            if (message != null && message.isObject()) {
                return errorMessage(message);
            }
        }
        enqueue(text);
        return null;
    }

    /** A message without a post: an operational disconnect ends the connection; other errors are told. */
    private End errorMessage(JsonNode message) {
        for (JsonNode error : message.path("errors")) {
            String title = error.path("title").asText("");
            String type = error.path("type").asText("");
            if (title.toLowerCase(Locale.ROOT).contains("operational-disconnect") || type.endsWith("/operational-disconnect")) {
                LOG.warn("The X stream says it disconnects ({}: {}): reconnecting", error.path("disconnect_type").asText(title),
                        error.path("detail").asText(""));
                return End.OPERATIONAL_DISCONNECT;
            }
            LOG.warn("The X stream sent an error: {}{}", title, error.hasNonNull("detail") ? ": " + error.get("detail").asText()
                    : error.hasNonNull("message") ? ": " + error.get("message").asText() : "");
        }
        if (!message.has("errors")) {
            LOG.debug("The X stream sent a message without a post: {}", XProblem.excerpt(message.toString()));
        }
        return null;
    }

    private void enqueue(String text) {
        long sequence = cursor.queue();
        send(StreamLine.ofStream(sequence, text));
    }

    /** Gap fill's posts join the same queue. Returns the line's queue position. */
    private long enqueue(V2Tweet post) {
        long sequence = cursor.queue();
        send(StreamLine.ofGapFill(sequence, post));
        return sequence;
    }

    /** Into the bounded queue; waits while it is full (the stream is not read meanwhile). */
    private void send(StreamLine line) {
        try {
            template.sendBody(queueUri, line);
        } catch (RuntimeException e) {
            cursor.done(line.sequence(), 0);
            LOG.error("Could not queue a post of the X stream ({}): it is recovered by the next gap fill", e.getMessage());
            throw e;
        }
    }

    private void healthyYet() {
        Instant since = connectedAt;
        if (since != null) {
            backoff.healthy(Duration.between(since, clock.instant()));
        }
    }

    private void disconnected(End end) {
        Instant now = clock.instant();
        Instant since = connectedAt;
        connectedAt = null;
        disconnectedSince = now;
        outageStart = now;
        Duration connectedFor = since == null ? Duration.ZERO : Duration.between(since, now);
        if (gapFillEnabled && end != End.STOPPED && firstConnectedAt != null) {
            cursor.gapAfterQueued(firstConnectedAt.minusSeconds(2));
        }
        if (end == End.STOPPED || !running) {
            return;
        }
        if (end == End.BUDGET) {
            disconnect("budget");
            LOG.info("X filtered stream disconnected after {} connected: {} reached, reconnecting at {} (the next UTC"
                    + " day){}", Backoff.describe(connectedFor), XPostReads.BUDGET_VARIABLE, postReads.resumesAt(),
                    gapFillEnabled ? "; gap fill then searches the posts of the pause" : "");
            return;
        }
        String reason = switch (end) {
            case STALL -> "stall";
            case OPERATIONAL_DISCONNECT -> "operational-disconnect";
            default -> "drop";
        };
        disconnect(reason);
        Duration wait = backoff.afterConnectionEnded(connectedFor);
        condition = Condition.WAITING;
        message = switch (end) {
            case STALL -> "stalled: no byte for " + stallTimeoutMs + " ms (X_STREAM_STALL_TIMEOUT_MS)";
            case OPERATIONAL_DISCONNECT -> "operational disconnect by X";
            default -> "the connection dropped";
        };
        LOG.warn("X filtered stream {} after {} connected: reconnecting {}", message, Backoff.describe(connectedFor),
                wait.isZero() ? "at once" : "in " + Backoff.describe(wait) + " (it did not stay up for " + healthyAfterMs + " ms)");
        pause(wait);
    }

    /** A refused or failed connection attempt (or rules request, to {@code what}) with an HTTP answer. */
    private void httpFailure(int status, UnaryOperator<String> headers, JsonNode answer, String body, String what) {
        String problem = XProblem.of(answer, body);
        if (status == 401 || status == 403) {
            problem(Condition.REFUSED, status, "the X API refused the credentials or the access tier (HTTP " + status + ")"
                    + " on " + what + ": check X_BEARER_TOKEN (the bearer token of an app in a Project) and that your"
                    + " access includes the filtered stream (GET /2/tweets/search/stream and its rules)"
                    + (problem.isEmpty() ? "" : " (the API says: " + problem + ")") + "; retrying every "
                    + Backoff.describe(Duration.ofMillis(refusedRetryMs)));
            disconnect("http-" + status);
            pause(Duration.ofMillis(refusedRetryMs));
            return;
        }
        if (status == 409) {
            problem(Condition.NO_RULES, status, "the X filtered stream has no rules (HTTP 409" + (problem.isEmpty() ? ""
                    : ": " + problem) + "): set X_STREAM_RULES (or X_QUERY) with X_STREAM_RULES_SYNC=replace or add"
                    + (rules.mode() == StreamRules.Sync.OFF ? " (it is off: add rules yourself with POST"
                            + " /2/tweets/search/stream/rules)" : "") + "; retrying every "
                    + Backoff.describe(Duration.ofMillis(refusedRetryMs)));
            rulesReady = rules.mode() == StreamRules.Sync.OFF;
            disconnect("http-409");
            pause(Duration.ofMillis(refusedRetryMs));
            return;
        }
        if (status == 429) {
            rateLimited(headers, answer, problem, what);
            return;
        }
        failed(StreamBackoff.Failure.HTTP, status, "http-" + status, "HTTP " + status + (status >= 500 ? " (server error)"
                : "") + " on " + what + (problem.isEmpty() ? "" : ": " + problem));
    }

    private void rateLimited(UnaryOperator<String> headers, JsonNode answer, String problem, String what) {
        String issue = answer == null ? "" : answer.path("connection_issue").asText("");
        String title = answer == null ? "" : answer.path("title").asText("");
        String type = answer == null ? "" : answer.path("type").asText("");
        disconnect("http-429");
        lastStatus = 429;
        if (issue.equals("TooManyConnections") || problem.contains("maximum allowed connection")) {
            Duration wait = backoff.after(StreamBackoff.Failure.RATE_LIMIT);
            condition = Condition.TOO_MANY_CONNECTIONS;
            message = "TooManyConnections: another connection of this app is open";
            LOG.warn("X refuses a second connection to the filtered stream (HTTP 429 TooManyConnections) on {}: another"
                    + " connection of this app is open (X allows one: run the stream source in one instance and"
                    + " TWEETS_SOURCE=none in the others); next attempt in {}", what, Backoff.describe(wait));
            pause(wait);
        } else if (title.equals("UsageCapExceeded") || type.endsWith("/usage-capped")) {
            Duration wait = backoff.max();
            problem(Condition.USAGE_CAPPED, 429, "X usage cap reached (HTTP 429 " + problem + ", period "
                    + answer.path("period").asText("?") + ", scope " + answer.path("scope").asText("?") + "): no posts until"
                    + " the cap resets or is raised in the developer portal; retrying every " + Backoff.describe(wait));
            pause(wait);
        } else {
            Optional<Duration> reset = RateLimitHeaders.rateLimitWait(headers, clock.instant());
            Duration wait = reset.orElseGet(() -> backoff.after(StreamBackoff.Failure.RATE_LIMIT));
            if (reset.isPresent()) {
                backoff.after(StreamBackoff.Failure.RATE_LIMIT);
            }
            condition = Condition.RATE_LIMITED;
            message = "rate limit reached (HTTP 429)";
            LOG.warn("X API rate limit reached (HTTP 429) on {}: next attempt in {}{}", what, Backoff.describe(wait),
                    reset.isPresent() ? ", after x-rate-limit-reset" : "");
            pause(wait);
        }
    }

    /** X_DAILY_POST_READS_BUDGET reached: not connected until the next UTC day (XPostReads writes the ERROR line). */
    private void budgetPause() {
        condition = Condition.BUDGET_PAUSED;
        message = postReads.notReadyReason().orElse("not connected until today's X post reads are read from the"
                + " cursors topic (" + XPostReads.BUDGET_VARIABLE + ")");
        pause(Duration.ofSeconds(1));
    }

    /** A failure with a back-off: one WARN line each. */
    private void failed(StreamBackoff.Failure failure, int status, String reason, String what) {
        Duration wait = backoff.after(failure);
        disconnect(reason);
        lastStatus = status;
        condition = Condition.WAITING;
        message = what;
        LOG.warn("X filtered stream: {}; next attempt in {}", what, Backoff.describe(wait));
        pause(wait);
    }

    /** A condition that needs a person: one ERROR line per episode, readiness DOWN. */
    private void problem(Condition what, int status, String text) {
        condition = what;
        lastStatus = status;
        message = text;
        if (loggedProblem != what) {
            LOG.error("{}", text.substring(0, 1).toUpperCase(Locale.ROOT) + text.substring(1));
            loggedProblem = what;
        } else {
            LOG.debug("still: {}", text);
        }
    }

    private void disconnect(String reason) {
        MeterRegistry meters = registry;
        if (meters != null) {
            disconnects.computeIfAbsent(reason, r -> Counter.builder("tweetstream.x.stream.disconnects")
                    .description("Ends of X filtered-stream connections and failed attempts, by reason (drop, stall,"
                            + " operational-disconnect, network, http-STATUS)")
                    .tag(MicrometerConstants.CAMEL_CONTEXT_TAG, camelContext.getName()).tag("reason", r)
                    .register(meters)).increment();
        }
    }

    /** Waits, unless the source stops meanwhile. */
    private void pause(Duration wait) {
        pause.await(wait, () -> running);
    }

    private synchronized void meters() {
        if (registry != null || camelContext == null) {
            return;
        }
        MeterRegistry meters = MicrometerUtils.getOrCreateMeterRegistry(camelContext.getRegistry(),
                MicrometerConstants.METRICS_REGISTRY_NAME);
        String context = camelContext.getName();
        connects = Counter.builder("tweetstream.x.stream.connects").description("Connections opened to the X filtered stream")
                .tag(MicrometerConstants.CAMEL_CONTEXT_TAG, context).register(meters);
        keepAlives = Counter.builder("tweetstream.x.stream.keepalives")
                .description("Keep-alive lines (\\r\\n) of the X filtered stream").tag(MicrometerConstants.CAMEL_CONTEXT_TAG, context)
                .register(meters);
        Gauge.builder("tweetstream.x.stream.last.byte.age", this, s -> s.anyByte || s.connectedAt != null
                ? (System.nanoTime() - s.lastByteNanos) / 1e9 : -1)
                .description("Seconds since the X filtered stream sent its last byte (a post or a keep-alive; -1: none yet)")
                .baseUnit("seconds").tag(MicrometerConstants.CAMEL_CONTEXT_TAG, context).register(meters);
        Gauge.builder("tweetstream.x.stream.queue.depth", this, XFilteredStream::queueDepth)
                .description("Posts read from the X stream (or found by gap fill) waiting in the queue for Kafka")
                .tag(MicrometerConstants.CAMEL_CONTEXT_TAG, context).register(meters);
        gapFill.countWith(Counter.builder("tweetstream.x.stream.gap.fill.posts")
                .description("Posts gap fill found in recent search after a gap of the X stream (those the stream also"
                        + " delivered are dropped as duplicates)")
                .tag(MicrometerConstants.CAMEL_CONTEXT_TAG, context).register(meters));
        registry = meters;
    }

    /** Lines waiting in the queue, not yet taken by the route. */
    double queueDepth() {
        try {
            SedaEndpoint endpoint = camelContext.getEndpoint(queueUri, SedaEndpoint.class);
            return endpoint == null ? 0 : endpoint.getCurrentQueueSize();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** A line of the queue was handled by the route (on Kafka, a duplicate, or parked). */
    void done(StreamLine line, long postId) {
        cursor.done(line.sequence(), postId);
    }

    /** The cursor of this run (null before reading started). */
    StreamCursor cursor() {
        return cursor;
    }

    /** The rules in use (tags of matching rules without one). */
    StreamRules rules() {
        return rules;
    }

    @Override
    public boolean serves(String candidate) {
        return TweetSourceSettings.X_V2_STREAM.equals(candidate) && TweetSourceSettings.X_V2_STREAM.equals(source);
    }

    @Override
    public Optional<String> notReadyReason() {
        Condition now = condition;
        switch (now) {
            case REFUSED, NO_RULES, INVALID_RULES, USAGE_CAPPED:
                return Optional.of("The X filtered stream cannot deliver: " + message);
            default:
                break;
        }
        Instant since = disconnectedSince;
        if (since != null && running && now != Condition.BUDGET_PAUSED && Duration.between(since, clock.instant()).toMillis() > notReadyAfterMs) {
            return Optional.of("The X filtered stream has not been connected for "
                    + Backoff.describe(Duration.between(since, clock.instant())) + " (X_STREAM_NOT_READY_AFTER_MS " + notReadyAfterMs
                    + "): " + message);
        }
        return Optional.empty();
    }

    @Override
    public Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("condition", condition.name());
        details.put("message", message);
        details.put("lastStatusCode", lastStatus);
        if (connectedAt != null) {
            details.put("connectedSince", connectedAt.toString());
        }
        if (disconnectedSince != null) {
            details.put("disconnectedSince", disconnectedSince.toString());
        }
        if (rules != null) {
            details.put("rules", rules.rules().size());
        }
        StreamCursor progress = cursor;
        if (progress != null) {
            details.put("lastPostId", Long.toString(progress.lastId()));
        }
        return details;
    }

    private static String body(ClassicHttpResponse response) {
        try {
            return response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
        } catch (IOException | org.apache.hc.core5.http.ParseException e) {
            return "";
        }
    }

    private String where() {
        return http.url(PATH, Map.of());
    }


    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    public void setSource(String source) {
        this.source = source == null ? "" : source.strip();
    }

    public void setRules(String rulesJson) {
        this.rulesJson = rulesJson;
    }

    public void setQuery(String query) {
        this.query = query;
    }

    public void setKeywords(String keywords) {
        this.keywords = keywords;
    }

    public void setRulesSync(String rulesSync) {
        this.rulesSync = rulesSync;
    }

    public void setApiBaseUrl(String apiBaseUrl) {
        this.apiBaseUrl = apiBaseUrl == null ? "" : apiBaseUrl.strip();
    }

    public void setTimeoutMs(String value) {
        this.timeoutMs = SourceSetting.number("X_TIMEOUT_MS", value, 1, "milliseconds");
    }

    public void setStallTimeoutMs(String value) {
        this.stallTimeoutMs = SourceSetting.number("X_STREAM_STALL_TIMEOUT_MS", value, 1, "milliseconds");
    }

    public void setBackoffNetworkMs(String value) {
        this.backoffNetworkMs = SourceSetting.number("X_STREAM_BACKOFF_NETWORK_MS", value, 1, "milliseconds");
    }

    public void setBackoffHttpMs(String value) {
        this.backoffHttpMs = SourceSetting.number("X_STREAM_BACKOFF_HTTP_MS", value, 1, "milliseconds");
    }

    public void setBackoffRateLimitMs(String value) {
        this.backoffRateLimitMs = SourceSetting.number("X_STREAM_BACKOFF_RATE_LIMIT_MS", value, 1, "milliseconds");
    }

    public void setBackoffMaxMs(String value) {
        this.backoffMaxMs = SourceSetting.number("X_STREAM_BACKOFF_MAX_MS", value, 1, "milliseconds");
    }

    public void setHealthyAfterMs(String value) {
        this.healthyAfterMs = SourceSetting.number("X_STREAM_HEALTHY_AFTER_MS", value, 0, "milliseconds");
    }

    public void setNotReadyAfterMs(String value) {
        this.notReadyAfterMs = SourceSetting.number("X_STREAM_NOT_READY_AFTER_MS", value, 0, "milliseconds");
    }

    public void setRefusedRetryMs(String value) {
        this.refusedRetryMs = SourceSetting.number("TWITTER_REFUSED_RETRY_MS", value, 1, "milliseconds");
    }

    public void setBackfillMinutes(String value) {
        this.backfillMinutes = (int) SourceSetting.number("X_STREAM_BACKFILL_MINUTES", value, 0, "minutes (0: off)");
    }

    public void setGapFill(String value) {
        this.gapFillEnabled = SourceSetting.flag("X_STREAM_GAP_FILL", value);
    }

    public void setGapFillMaxPages(String value) {
        this.gapFillMaxPages = (int) SourceSetting.number("X_STREAM_GAP_FILL_MAX_PAGES", value, 1, "pages");
    }

    public void setCursorSaveIntervalMs(String value) {
        this.cursorSaveIntervalMs = SourceSetting.number("X_STREAM_CURSOR_SAVE_INTERVAL_MS", value, 0, "milliseconds");
    }

    public void setQueueUri(String queueUri) {
        this.queueUri = queueUri;
    }

    public void setCursors(SourceCursors cursors) {
        this.cursors = cursors;
    }

    /** Counts gap fill's reads; the daily budget it keeps stops the stream until the next UTC day. */
    public void setPostReads(XPostReads postReads) {
        this.postReads = postReads;
    }

    public void setApiClient(XApiClient apiClient) {
        this.apiClient = apiClient;
    }

    @Override
    public String toString() {
        return "XFilteredStream[" + condition + "]";
    }
}
