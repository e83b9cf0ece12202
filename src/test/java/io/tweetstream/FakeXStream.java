package io.tweetstream;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A fake X API v2 <em>filtered stream</em> (with its rules endpoint and the recent search used for
 * gap fill) on 127.0.0.1, as hostile as the real one: a real HTTP/1.1 server on plain JDK sockets,
 * one thread per connection, that can hold an endless chunked stream, stall it, reset it, and
 * answer connection attempts with scripted {@link Plan}s.
 *
 * <p>Endpoints (all need {@code Authorization: Bearer <token>}, else 401):
 * <ul>
 * <li>{@code GET /2/tweets/search/stream}: the stream. One connection at a time (a second attempt
 * gets 429 TooManyConnections), 409 when no rule is live; otherwise the next queued {@link Plan}
 * ({@link #live()} when none is queued). Answers are chunked, one chunk per line, and end with
 * {@code Connection: close}.</li>
 * <li>{@code GET|POST /2/tweets/search/stream/rules}: list, add ({@code dry_run}) and delete rules.</li>
 * <li>{@code GET /2/tweets/search/recent}: search among the {@link #publish published} posts.</li>
 * <li>{@code GET /2/usage/tweets}: the project's usage, {@link #setUsage} (by default 0 of 3,000,000).</li>
 * </ul>
 * Non-stream answers carry {@code Content-Length} and keep the connection open (HTTP/1.1
 * keep-alive) unless the request said {@code Connection: close} or was HTTP/1.0.
 *
 * <p>Order of decisions for a stream attempt: wrong token (401, no plan used); a queued status plan
 * (used, answered as is, even while another stream is open); another stream open or within the
 * {@link #setLingerMillis linger} time (429, no plan used); no live rule (409, no plan used); else
 * the queued live plan is used (or {@link #live()}).
 *
 * <p>Rate-limit headers ({@code x-rate-limit-limit/-remaining/-reset}) count requests per endpoint
 * in 15-minute windows (stream 50, rules 450, search 450) but never report fewer than 1 remaining,
 * except where a plan says so ({@link #rateLimited}).
 */
public final class FakeXStream implements AutoCloseable {

    /** Path of the filtered stream. */
    public static final String STREAM = "/2/tweets/search/stream";
    /** Path of the stream rules. */
    public static final String RULES = "/2/tweets/search/stream/rules";
    /** Path of the recent search. */
    public static final String SEARCH = "/2/tweets/search/recent";
    /** Path of the project's usage. */
    public static final String USAGE = "/2/usage/tweets";
    /** Author of every post. */
    public static final String AUTHOR_ID = "2244994945";
    /** Id of the first post; each next post has the next id. */
    public static final long FIRST_POST_ID = 1870000000000000001L;
    /** Id of the first rule; each next rule has the next id. */
    public static final long FIRST_RULE_ID = 1866000000000000001L;
    /** The token every request must carry unless {@link #setToken} says otherwise. */
    public static final String DEFAULT_TOKEN = "test-token";

    /** The operational-disconnect error line X sends before it ends (or just leaves) a stream. */
    public static final String OPERATIONAL_DISCONNECT = "{\"errors\":[{\"title\":\"operational-disconnect\","
            + "\"disconnect_type\":\"UpstreamOperationalDisconnect\","
            + "\"detail\":\"This stream has been disconnected upstream for operational reasons.\","
            + "\"type\":\"https://api.twitter.com/2/problems/operational-disconnect\"}]}";
    /** Body of the 429 a stream attempt gets while another stream connection is open. */
    public static final String TOO_MANY_CONNECTIONS = "{\"title\":\"ConnectionException\","
            + "\"detail\":\"This stream is currently at the maximum allowed connection limit.\","
            + "\"connection_issue\":\"TooManyConnections\","
            + "\"type\":\"https://api.twitter.com/2/problems/streaming-connection\"}";
    /** Body of a 429 for an exhausted rate limit. */
    public static final String TOO_MANY_REQUESTS =
            "{\"title\":\"Too Many Requests\",\"detail\":\"Too Many Requests\",\"type\":\"about:blank\",\"status\":429}";
    /** Body of a 429 for an exhausted monthly usage cap. */
    public static final String USAGE_CAPPED = "{\"title\":\"UsageCapExceeded\","
            + "\"detail\":\"Usage cap exceeded: Monthly product cap\","
            + "\"type\":\"https://api.twitter.com/2/problems/usage-capped\",\"period\":\"Monthly\",\"scope\":\"Product\"}";
    /** Body of the 409 a stream attempt gets when no rule is live. */
    public static final String NO_RULES = "{\"title\":\"ConnectionException\","
            + "\"detail\":\"Request must have at least one rule, or an id, to stream on.\","
            + "\"connection_issue\":\"NoRules\","
            + "\"type\":\"https://api.twitter.com/2/problems/streaming-connection\"}";
    /** Body of a 401. */
    public static final String UNAUTHORIZED =
            "{\"title\":\"Unauthorized\",\"type\":\"about:blank\",\"status\":401,\"detail\":\"Unauthorized\"}";
    /** Body of a 403 (client not enrolled). */
    public static final String FORBIDDEN = "{\"client_id\":\"1\","
            + "\"detail\":\"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens"
            + " from a Twitter developer App that is attached to a Project.\","
            + "\"registration_url\":\"https://developer.twitter.com/en/docs/projects/overview\","
            + "\"title\":\"Client Forbidden\",\"required_enrollment\":\"Appropriate Level of API Access\","
            + "\"reason\":\"client-not-enrolled\",\"type\":\"https://api.twitter.com/2/problems/client-forbidden\"}";
    /** Body of a 503. */
    public static final String SERVICE_UNAVAILABLE = "{\"title\":\"Service Unavailable\","
            + "\"detail\":\"Service Unavailable\",\"type\":\"about:blank\",\"status\":503}";

    private static final String ERRORS_IN_MESSAGE = "[{\"value\":\"" + AUTHOR_ID + "\","
            + "\"detail\":\"Could not find user with id: [" + AUTHOR_ID + "].\",\"title\":\"Not Found Error\","
            + "\"resource_type\":\"user\",\"parameter\":\"id\",\"resource_id\":\"" + AUTHOR_ID + "\","
            + "\"type\":\"https://api.twitter.com/2/problems/resource-not-found\"}]";
    private static final String INVALID_REQUEST_TYPE = "https://api.twitter.com/2/problems/invalid-request";
    private static final String NEXT_TOKEN_PREFIX = "fxs";
    private static final int MAX_RULE_LENGTH = 1024;
    private static final long WINDOW_SECONDS = 15 * 60;
    private static final long PUBLISH_WAIT_MILLIS = 10_000;
    private static final int POLL_MILLIS = 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final byte[] CRLF = {'\r', '\n'};

    /** A stream rule. {@code tag} may be null. */
    public record Rule(String id, String value, String tag) {
    }

    /**
     * A published post. {@code json} is its stream message (data, includes, matching_rules; no line
     * end, no errors); {@code streamed} tells whether it was written on an open stream connection.
     */
    public record Post(String id, String tag, String json, Instant publishedAt, boolean streamed) {
    }

    /**
     * A request the fake got: {@code path} without the query, {@code query} decoded (last value wins),
     * {@code headers} with lower-case names (repeated ones joined with ", "), {@code body} ("" if none).
     */
    public record Request(String method, String path, Map<String, String> query, Map<String, String> headers,
            String body, Instant at) {
    }

    private final ServerSocket server;
    private final int port;
    private final Thread acceptor;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionNumbers = new AtomicInteger();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile String token = DEFAULT_TOKEN;
    private volatile long keepAliveMillis = 500;
    private volatile long lingerMillis;
    private volatile Answer usage = new Answer(200, Map.of(), usageBody(0, 3_000_000, 17));

    private final Object lock = new Object();
    // guarded by lock
    private final Map<String, Rule> liveRules = new LinkedHashMap<>();
    private final List<Rule> everyRule = new ArrayList<>();
    private final List<String> refusedMarkers = new ArrayList<>();
    private final List<PostEntry> posts = new ArrayList<>();
    private final Deque<Plan> streamPlans = new ArrayDeque<>();
    private final Deque<Plan> searchPlans = new ArrayDeque<>();
    private final Deque<Plan> rulesPlans = new ArrayDeque<>();
    private final Set<StreamConnection> openStreams = new LinkedHashSet<>();
    private final RateWindow streamWindow = new RateWindow(50);
    private final RateWindow rulesWindow = new RateWindow(450);
    private final RateWindow searchWindow = new RateWindow(450);
    private long nextRuleId = FIRST_RULE_ID;
    private long nextPostId = FIRST_POST_ID;
    private int streamConnects;
    private long lastStreamEndNanos;
    private boolean anyStreamEnded;

    /** Binds 127.0.0.1 on a free port and starts accepting connections. */
    public FakeXStream() {
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the fake X stream", e);
        }
        port = server.getLocalPort();
        acceptor = new Thread(this::accept, threadPrefix() + "accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** {@code http://127.0.0.1:<port>/2/}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port + "/2/";
    }

    /** The port the fake listens on. */
    public int port() {
        return port;
    }

    /** Prefix of the names of this fake's threads (to check that none outlive {@link #close()}). */
    public String threadPrefix() {
        return "fake-x-stream-" + port + "-";
    }

    // ---------------------------------------------------------------- settings

    /** The bearer token every request must carry (default {@value #DEFAULT_TOKEN}). */
    public void setToken(String token) {
        this.token = Objects.requireNonNull(token);
    }

    /** Interval of the {@code "\r\n"} keep-alives on open streams, applied at once (default 500 ms). */
    public void setKeepAliveMillis(long ms) {
        if (ms <= 0) {
            throw new IllegalArgumentException("keep-alive interval must be positive: " + ms);
        }
        this.keepAliveMillis = ms;
    }

    /** After a stream connection ends, attempts within this time still get 429 TooManyConnections (default 0). */
    public void setLingerMillis(long ms) {
        this.lingerMillis = Math.max(0, ms);
    }

    /**
     * A body of {@code GET /2/usage/tweets} in X's shape ({@code project_usage} and {@code project_cap}
     * as strings); also {@link FakeXApi}'s (here, since the benchmark runs this fake without WireMock).
     */
    public static String usageBody(long used, long cap, int capResetDay) {
        return "{\"data\":{\"cap_reset_day\":" + capResetDay + ",\"project_cap\":\"" + cap
                + "\",\"project_id\":\"1369785403853424\",\"project_usage\":\"" + used + "\"}}";
    }

    /** What {@code GET /2/usage/tweets} answers from now on. */
    public void setUsage(int status, String jsonBody) {
        this.usage = new Answer(status, Map.of(), jsonBody);
    }

    // ---------------------------------------------------------------- rules

    /** The live rules now, oldest first. */
    public List<Rule> rules() {
        synchronized (lock) {
            return List.copyOf(liveRules.values());
        }
    }

    /** Puts a rule on the server directly (e.g. a stray rule left by another client); next rule id. */
    public Rule addRule(String value, String tag) {
        Objects.requireNonNull(value);
        synchronized (lock) {
            if (liveRuleWithValue(value) != null) {
                throw new IllegalStateException("a live rule already has the value " + value);
            }
            return storeRule(Long.toString(nextRuleId++), value, tag);
        }
    }

    /** Deletes a live rule directly; false if no live rule has this id. */
    public boolean deleteRule(String id) {
        synchronized (lock) {
            return liveRules.remove(id) != null;
        }
    }

    /** Rules added through the API whose value contains this marker are answered as invalid (dry run or not). */
    public void refuseRulesContaining(String marker) {
        Objects.requireNonNull(marker);
        synchronized (lock) {
            refusedMarkers.add(marker);
        }
    }

    /** Scripted answers (status plans only) for the next rules requests (GET or POST), then normal answers. */
    public void enqueueRules(Plan... plans) {
        synchronized (lock) {
            rulesPlans.addAll(statusPlans(plans));
        }
    }

    // ---------------------------------------------------------------- posts

    /**
     * Publishes a new post matching the live rule with this tag (next id, created now) and keeps it in the
     * search index under that rule's value. If a stream connection is open and taking posts, this waits until
     * the post has been written on it (at most 10 s); the answer says whether it was ({@link Post#streamed}).
     * A tag whose rule was deleted is allowed (the post is only indexed, under the deleted rule's value);
     * a tag no rule ever had is an {@link IllegalArgumentException}.
     */
    public Post publish(String tag) {
        PostEntry entry;
        List<Delivery> deliveries = new ArrayList<>();
        synchronized (lock) {
            Rule rule = liveRuleWithTag(tag);
            boolean live = rule != null;
            if (rule == null) {
                for (Rule r : everyRule) {
                    if (Objects.equals(r.tag(), tag)) {
                        rule = r;
                    }
                }
            }
            if (rule == null) {
                throw new IllegalArgumentException("no rule has the tag " + tag + "; rules: " + liveRules.values());
            }
            entry = new PostEntry(nextPostId++, tag, rule, Instant.now().truncatedTo(ChronoUnit.MILLIS));
            posts.add(entry);
            if (live) {
                for (StreamConnection stream : openStreams) {
                    if (stream.takingPosts) {
                        Delivery delivery = new Delivery(entry);
                        stream.deliveries.add(delivery);
                        deliveries.add(delivery);
                    }
                }
            }
        }
        boolean streamed = false;
        for (Delivery delivery : deliveries) {
            streamed |= delivery.await();
        }
        entry.streamed = streamed;
        return entry.toPost();
    }

    /** Every post published, in order. */
    public List<Post> published() {
        synchronized (lock) {
            return posts.stream().map(PostEntry::toPost).toList();
        }
    }

    // ---------------------------------------------------------------- stream connections

    /** What the next stream connection attempts get, in order (when none is queued: {@link #live()}). */
    public void enqueue(Plan... plans) {
        synchronized (lock) {
            streamPlans.addAll(Arrays.asList(plans));
        }
    }

    /** Scripted answers (status plans only) for the next recent-search requests, then normal answers. */
    public void enqueueSearch(Plan... plans) {
        synchronized (lock) {
            searchPlans.addAll(statusPlans(plans));
        }
    }

    /** Stream connections open now (streaming or stalled). */
    public int openStreams() {
        synchronized (lock) {
            return openStreams.size();
        }
    }

    /** Stream connection attempts so far, whatever they were answered. */
    public int streamConnects() {
        synchronized (lock) {
            return streamConnects;
        }
    }

    /** Ends every open stream cleanly (terminating chunk, close), as a test's "the server ends it". */
    public void endStreams() {
        synchronized (lock) {
            openStreams.forEach(stream -> stream.endRequested = true);
        }
    }

    /** Resets every open stream connection abruptly (RST). */
    public void resetStreams() {
        synchronized (lock) {
            openStreams.forEach(stream -> stream.resetRequested = true);
        }
    }

    /** Every request, in order of arrival. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests to this path (e.g. {@link #STREAM}), in order. */
    public List<Request> requests(String path) {
        return requests.stream().filter(request -> request.path().equals(path)).toList();
    }

    /** Stops accepting, closes every connection and waits for all of this fake's threads to end. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(server);
        join(acceptor);
        for (Socket socket : List.copyOf(sockets)) {
            closeQuietly(socket);
        }
        List<Thread> running = List.copyOf(threads);
        running.forEach(Thread::interrupt);
        running.forEach(FakeXStream::join);
    }

    // ---------------------------------------------------------------- plans

    /** 200 and a stream of published posts and keep-alives, until the client or the test ends it. */
    public static Plan live() {
        return new Plan(true, 200, null, Map.of(), null);
    }

    /** A plain answer with this status, JSON body (may be null) and headers (added to the rate-limit ones). */
    public static Plan status(int status, String jsonBody, Map<String, String> headers) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
        return new Plan(false, status, jsonBody, headers == null ? Map.of() : Map.copyOf(headers), null);
    }

    /** 429 TooManyConnections, with rate-limit headers that still have requests remaining. */
    public static Plan tooManyConnections() {
        return status(429, TOO_MANY_CONNECTIONS, Map.of());
    }

    /** 429 Too Many Requests: x-rate-limit-remaining 0, x-rate-limit-reset now (at answer time) + seconds. */
    public static Plan rateLimited(int resetInSeconds) {
        return new Plan(false, 429, TOO_MANY_REQUESTS, Map.of(), resetInSeconds);
    }

    /** 429 UsageCapExceeded. */
    public static Plan usageCapped() {
        return status(429, USAGE_CAPPED, Map.of());
    }

    /** 503 Service Unavailable. */
    public static Plan serverError() {
        return status(503, SERVICE_UNAVAILABLE, Map.of());
    }

    /** 401 Unauthorized. */
    public static Plan unauthorized() {
        return status(401, UNAUTHORIZED, Map.of());
    }

    /** 403 Client Forbidden (client-not-enrolled). */
    public static Plan forbidden() {
        return status(403, FORBIDDEN, Map.of());
    }

    /**
     * What one stream connection attempt (or one search/rules request) gets: a plain status answer or a live
     * stream. Immutable; the modifiers (live plans only) return a new plan. Of dropAfter, stallAfter,
     * operationalDisconnectAfter and errorLineThenStall the last one given wins.
     */
    public static final class Plan {

        private enum End { NONE, DROP, STALL, OPERATIONAL_DISCONNECT, ERROR_LINE_THEN_STALL }

        private final boolean live;
        private final int status;
        private final String body;
        private final Map<String, String> headers;
        private final Integer resetInSeconds;
        private End end = End.NONE;
        private int endAfter;
        private boolean splitLines;
        private boolean duplicates;
        private boolean bareNewlines;
        private boolean errorsInMessages;
        private List<String> garbage = List.of();

        private Plan(boolean live, int status, String body, Map<String, String> headers, Integer resetInSeconds) {
            this.live = live;
            this.status = status;
            this.body = body;
            this.headers = headers;
            this.resetInSeconds = resetInSeconds;
        }

        /** True for a live stream plan, false for a plain status answer. */
        public boolean isLive() {
            return live;
        }

        /** The status this plan answers. */
        public int status() {
            return status;
        }

        /** After N posts on this connection, reset the TCP connection abruptly (SO_LINGER 0, close). */
        public Plan dropAfter(int posts) {
            return ending(End.DROP, posts);
        }

        /** After N posts, send nothing at all (no keep-alive) but keep the socket open until the client closes it. */
        public Plan stallAfter(int posts) {
            return ending(End.STALL, posts);
        }

        /** After N posts, send the operational-disconnect error line, then end the stream (last chunk, close). */
        public Plan operationalDisconnectAfter(int posts) {
            return ending(End.OPERATIONAL_DISCONNECT, posts);
        }

        /** After N posts, send the operational-disconnect error line, then stall. */
        public Plan errorLineThenStall(int posts) {
            return ending(End.ERROR_LINE_THEN_STALL, posts);
        }

        /** Every line (keep-alives too) written in up to 3 flushed pieces, one chunk each, ~5 ms apart. */
        public Plan splitLines() {
            Plan plan = copy();
            plan.splitLines = true;
            return plan;
        }

        /** Every post delivered twice on this connection. */
        public Plan duplicates() {
            Plan plan = copy();
            plan.duplicates = true;
            return plan;
        }

        /** Lines (keep-alives too) end with "\n" instead of "\r\n". */
        public Plan bareNewlines() {
            Plan plan = copy();
            plan.bareNewlines = true;
            return plan;
        }

        /** Writes this unparseable line first (after earlier garbage lines of this plan). */
        public Plan garbageLine(String text) {
            Plan plan = copy();
            List<String> lines = new ArrayList<>(garbage);
            lines.add(Objects.requireNonNull(text));
            plan.garbage = List.copyOf(lines);
            return plan;
        }

        /** Each post message also carries an "errors" array (data and includes intact). */
        public Plan withErrorsInMessages() {
            Plan plan = copy();
            plan.errorsInMessages = true;
            return plan;
        }

        private Plan ending(End end, int posts) {
            if (posts < 0) {
                throw new IllegalArgumentException("negative post count: " + posts);
            }
            Plan plan = copy();
            plan.end = end;
            plan.endAfter = posts;
            return plan;
        }

        private Plan copy() {
            if (!isLive()) {
                throw new IllegalStateException("only a live plan can be modified, not " + this);
            }
            Plan plan = new Plan(live, status, body, headers, resetInSeconds);
            plan.end = end;
            plan.endAfter = endAfter;
            plan.splitLines = splitLines;
            plan.duplicates = duplicates;
            plan.bareNewlines = bareNewlines;
            plan.errorsInMessages = errorsInMessages;
            plan.garbage = garbage;
            return plan;
        }

        private String eol() {
            return bareNewlines ? "\n" : "\r\n";
        }

        @Override
        public String toString() {
            if (!isLive()) {
                return "status(" + status + (resetInSeconds != null ? ", reset in " + resetInSeconds + " s" : "") + ")";
            }
            StringBuilder s = new StringBuilder("live()");
            if (end != End.NONE) {
                s.append('.').append(end.name().toLowerCase(Locale.ROOT)).append("After(").append(endAfter).append(')');
            }
            if (splitLines) {
                s.append(".splitLines()");
            }
            if (duplicates) {
                s.append(".duplicates()");
            }
            if (bareNewlines) {
                s.append(".bareNewlines()");
            }
            if (errorsInMessages) {
                s.append(".withErrorsInMessages()");
            }
            garbage.forEach(g -> s.append(".garbageLine(").append(g).append(')'));
            return s.toString();
        }
    }

    private static List<Plan> statusPlans(Plan... plans) {
        for (Plan plan : plans) {
            if (plan.isLive()) {
                throw new IllegalArgumentException("only status plans answer this endpoint, not " + plan);
            }
        }
        return Arrays.asList(plans);
    }

    // ---------------------------------------------------------------- connections

    private void accept() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (closed) {
                closeQuietly(socket);
                return;
            }
            sockets.add(socket);
            Thread thread = new Thread(() -> serve(socket), threadPrefix() + "conn-" + connectionNumbers.incrementAndGet());
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            HttpIn in = new HttpIn(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            while (!closed) {
                RawRequest raw;
                try {
                    raw = in.readRequest(out);
                } catch (BadRequest e) {
                    respond(out, 400, Map.of(), invalidRequest(e.getMessage()), false);
                    return;
                }
                if (raw == null) {
                    return; // the client closed an idle connection
                }
                Request request = new Request(raw.method, raw.path, Collections.unmodifiableMap(raw.query),
                        Collections.unmodifiableMap(raw.headers), raw.body, Instant.now());
                requests.add(request);
                if (!handle(socket, in, out, request, raw.keepAlive)) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the connection is gone (client closed or reset it, or close())
        } catch (RuntimeException e) {
            if (!closed) {
                System.err.println("FakeXStream: connection failed: " + e);
                e.printStackTrace();
            }
        } finally {
            sockets.remove(socket);
            threads.remove(Thread.currentThread());
        }
    }

    /** Answers one request; false when the connection must be closed. */
    private boolean handle(Socket socket, HttpIn in, OutputStream out, Request request, boolean keepAlive)
            throws IOException, InterruptedException {
        String path = request.path();
        boolean stream = path.equals(STREAM);
        boolean rules = path.equals(RULES);
        boolean search = path.equals(SEARCH);
        boolean usage = path.equals(USAGE);
        if (stream) {
            synchronized (lock) {
                streamConnects++;
            }
        }
        if (!stream && !rules && !search && !usage) {
            respond(out, 404, Map.of(), "{\"errors\":[{\"message\":\"The requested resource could not be found: "
                    + escape(path) + "\"}],\"title\":\"Not Found Error\",\"detail\":\"Not Found\","
                    + "\"type\":\"https://api.twitter.com/2/problems/resource-not-found\"}", keepAlive);
            return keepAlive;
        }
        String authorization = request.headers().get("authorization");
        if (authorization == null || !authorization.equals("Bearer " + token)) {
            respond(out, 401, Map.of(), UNAUTHORIZED, keepAlive);
            return keepAlive;
        }
        String method = request.method();
        boolean allowed = rules ? method.equals("GET") || method.equals("POST") : method.equals("GET");
        if (!allowed) {
            respond(out, 405, Map.of("allow", rules ? "GET, POST" : "GET"),
                    "{\"title\":\"Method Not Allowed\",\"type\":\"about:blank\",\"status\":405}", keepAlive);
            return keepAlive;
        }
        if (stream) {
            return handleStream(socket, in, out, keepAlive);
        }
        Answer answer = rules ? handleRules(request) : usage ? this.usage : handleSearch(request);
        respond(out, answer.status, answer.headers, answer.body, keepAlive);
        return keepAlive;
    }

    private record Answer(int status, Map<String, String> headers, String body) {
    }

    private Answer planned(Plan plan, RateWindow window, long nowSeconds) {
        Map<String, String> headers = new LinkedHashMap<>(window.hit(nowSeconds));
        if (plan.resetInSeconds != null) {
            headers.put("x-rate-limit-remaining", "0");
            headers.put("x-rate-limit-reset", Long.toString(nowSeconds + plan.resetInSeconds));
        }
        headers.putAll(plan.headers);
        return new Answer(plan.status, headers, plan.body == null ? "" : plan.body);
    }

    // ---------------------------------------------------------------- the stream

    private boolean handleStream(Socket socket, HttpIn in, OutputStream out, boolean keepAlive)
            throws IOException, InterruptedException {
        Answer refusal = null;
        StreamConnection stream = null;
        Map<String, String> rateHeaders;
        synchronized (lock) {
            long nowSeconds = Instant.now().getEpochSecond();
            Plan next = streamPlans.peek();
            if (next != null && !next.isLive()) {
                refusal = planned(streamPlans.poll(), streamWindow, nowSeconds);
                rateHeaders = null;
            } else {
                rateHeaders = streamWindow.hit(nowSeconds);
                boolean lingering = anyStreamEnded && lingerMillis > 0
                        && System.nanoTime() - lastStreamEndNanos < TimeUnit.MILLISECONDS.toNanos(lingerMillis);
                if (!openStreams.isEmpty() || lingering) {
                    refusal = new Answer(429, rateHeaders, TOO_MANY_CONNECTIONS);
                } else if (liveRules.isEmpty()) {
                    refusal = new Answer(409, rateHeaders, NO_RULES);
                } else {
                    Plan plan = next != null ? streamPlans.poll() : live();
                    stream = new StreamConnection(plan, socket, in, out);
                    openStreams.add(stream);
                }
            }
        }
        if (refusal != null) {
            respond(out, refusal.status, refusal.headers, refusal.body, keepAlive);
            return keepAlive;
        }
        try {
            stream.run(rateHeaders);
        } finally {
            synchronized (lock) {
                openStreams.remove(stream);
                anyStreamEnded = true;
                lastStreamEndNanos = System.nanoTime();
                stream.stopTakingPosts();
            }
        }
        return false;
    }

    /** A post handed to a stream connection; {@link #publish} waits for it to be written or given up. */
    private static final class Delivery {
        private static final int PENDING = 0;
        private static final int WRITING = 1;
        private static final int DROPPED = 2;

        final PostEntry entry;
        final AtomicInteger state = new AtomicInteger(PENDING);
        final CompletableFuture<Boolean> written = new CompletableFuture<>();

        Delivery(PostEntry entry) {
            this.entry = entry;
        }

        /** The stream connection takes it to write it; false if it was given up already. */
        boolean claim() {
            return state.compareAndSet(PENDING, WRITING);
        }

        void drop() {
            if (state.compareAndSet(PENDING, DROPPED)) {
                written.complete(false);
            }
        }

        boolean await() {
            try {
                return written.get(PUBLISH_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                drop();
                try {
                    return written.get(); // being written, or just dropped
                } catch (InterruptedException | ExecutionException e2) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                drop();
                return false;
            } catch (ExecutionException e) {
                return false;
            }
        }
    }

    /** One open stream connection, run by its connection's thread. */
    private final class StreamConnection {
        final Plan plan;
        final Socket socket;
        final HttpIn in;
        final OutputStream out;
        final LinkedBlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        // guarded by lock
        boolean takingPosts = true;
        volatile boolean endRequested;
        volatile boolean resetRequested;

        StreamConnection(Plan plan, Socket socket, HttpIn in, OutputStream out) {
            this.plan = plan;
            this.socket = socket;
            this.in = in;
            this.out = out;
        }

        /** Under lock: no more posts for this connection; pending ones are given up. */
        void stopTakingPosts() {
            takingPosts = false;
            for (Delivery delivery; (delivery = deliveries.poll()) != null; ) {
                delivery.drop();
            }
        }

        void run(Map<String, String> rateHeaders) throws IOException, InterruptedException {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("content-type", "application/json; charset=utf-8");
            headers.put("transfer-encoding", "chunked");
            headers.put("connection", "close");
            headers.putAll(rateHeaders);
            writeHead(out, 200, headers);
            out.flush();
            String eol = plan.eol();
            for (String garbage : plan.garbage) {
                writeLine(garbage + eol);
            }
            int delivered = 0;
            if (ended(delivered)) {
                return;
            }
            long lastWrite = System.nanoTime();
            while (true) {
                if (closed || Thread.currentThread().isInterrupted()) {
                    return;
                }
                if (requestedEnd()) {
                    return;
                }
                Delivery delivery = deliveries.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (delivery != null) {
                    if (delivery.claim()) {
                        try {
                            String line = delivery.entry.message(plan.errorsInMessages) + eol;
                            writeLine(line);
                            if (plan.duplicates) {
                                writeLine(line);
                            }
                            delivery.written.complete(true);
                        } finally {
                            delivery.written.complete(false); // no-op once written
                        }
                        delivered++;
                        lastWrite = System.nanoTime();
                        if (ended(delivered)) {
                            return;
                        }
                    }
                    continue;
                }
                if (System.nanoTime() - lastWrite >= TimeUnit.MILLISECONDS.toNanos(keepAliveMillis)) {
                    writeLine(eol);
                    lastWrite = System.nanoTime();
                }
                if (clientClosed(1)) {
                    return;
                }
            }
        }

        /** Plays the plan's ending once N posts are delivered; true when the stream is over. */
        private boolean ended(int delivered) throws IOException, InterruptedException {
            if (plan.end == Plan.End.NONE || delivered != plan.endAfter) {
                return false;
            }
            synchronized (lock) {
                stopTakingPosts();
            }
            switch (plan.end) {
                case DROP -> reset();
                case STALL -> stall();
                case OPERATIONAL_DISCONNECT -> {
                    writeLine(OPERATIONAL_DISCONNECT + plan.eol());
                    writeLastChunk();
                }
                case ERROR_LINE_THEN_STALL -> {
                    writeLine(OPERATIONAL_DISCONNECT + plan.eol());
                    stall();
                }
                default -> throw new IllegalStateException(plan.end.name());
            }
            return true;
        }

        /** Sends nothing until the client closes, the test ends or resets the stream, or close(). */
        private void stall() throws IOException {
            while (!closed && !Thread.currentThread().isInterrupted()) {
                if (requestedEnd() || clientClosed(POLL_MILLIS)) {
                    return;
                }
            }
        }

        private boolean requestedEnd() throws IOException {
            if (resetRequested) {
                reset();
                return true;
            }
            if (endRequested) {
                writeLastChunk();
                return true;
            }
            return false;
        }

        private void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        private void writeLastChunk() throws IOException {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** True when the client has closed its side (reads what it sends, if anything, and ignores it). */
        private boolean clientClosed(int waitMillis) throws IOException {
            socket.setSoTimeout(waitMillis);
            try {
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } finally {
                socket.setSoTimeout(0);
            }
        }

        private void writeLine(String line) throws IOException, InterruptedException {
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            if (!plan.splitLines) {
                writeChunk(out, bytes, 0, bytes.length);
                out.flush();
                return;
            }
            int pieces = Math.min(3, bytes.length);
            int from = 0;
            for (int i = 1; i <= pieces; i++) {
                int to = bytes.length * i / pieces;
                writeChunk(out, bytes, from, to - from);
                out.flush();
                from = to;
                if (i < pieces) {
                    Thread.sleep(5);
                }
            }
        }
    }

    private static void writeChunk(OutputStream out, byte[] bytes, int offset, int length) throws IOException {
        if (length == 0) {
            return; // a zero-length chunk would end the stream
        }
        out.write(Integer.toHexString(length).getBytes(StandardCharsets.US_ASCII));
        out.write(CRLF);
        out.write(bytes, offset, length);
        out.write(CRLF);
    }

    // ---------------------------------------------------------------- rules endpoint

    private Answer handleRules(Request request) {
        long nowSeconds = Instant.now().getEpochSecond();
        synchronized (lock) {
            Plan plan = rulesPlans.poll();
            if (plan != null) {
                return planned(plan, rulesWindow, nowSeconds);
            }
            Map<String, String> headers = rulesWindow.hit(nowSeconds);
            try {
                String body = request.method().equals("GET") ? listRules(request) : changeRules(request);
                return new Answer(200, headers, body);
            } catch (BadRequest e) {
                return new Answer(400, headers, invalidRequest(e.getMessage()));
            }
        }
    }

    private String listRules(Request request) {
        Set<String> ids = null;
        String idsParam = request.query().get("ids");
        if (idsParam != null && !idsParam.isBlank()) {
            ids = new LinkedHashSet<>(Arrays.asList(idsParam.split(",")));
        }
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode data = JSON.createArrayNode();
        for (Rule rule : liveRules.values()) {
            if (ids == null || ids.contains(rule.id())) {
                ObjectNode node = data.addObject().put("id", rule.id()).put("value", rule.value());
                if (rule.tag() != null) {
                    node.put("tag", rule.tag());
                }
            }
        }
        if (!data.isEmpty()) {
            answer.set("data", data);
        }
        answer.putObject("meta").put("sent", ISO_MILLIS.format(Instant.now())).put("result_count", data.size());
        return write(answer);
    }

    private String changeRules(Request request) {
        JsonNode body;
        try {
            body = JSON.readTree(request.body());
        } catch (JsonProcessingException e) {
            throw new BadRequest("the body is not JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw new BadRequest("the body must be a JSON object with \"add\" or \"delete\"");
        }
        boolean dryRun = "true".equalsIgnoreCase(request.query().get("dry_run"));
        boolean add = body.has("add");
        boolean delete = body.has("delete");
        if (add == delete) {
            throw new BadRequest("the body must have exactly one of \"add\" and \"delete\"");
        }
        return add ? addRules(body.get("add"), dryRun) : deleteRules(body.get("delete"), dryRun);
    }

    private String addRules(JsonNode add, boolean dryRun) {
        if (!add.isArray() || add.isEmpty()) {
            throw new BadRequest("\"add\" must be a non-empty array of rules");
        }
        for (JsonNode item : add) {
            if (!item.isObject() || !item.path("value").isTextual()
                    || (item.has("tag") && !item.get("tag").isTextual() && !item.get("tag").isNull())) {
                throw new BadRequest("each rule to add must be {\"value\": string, \"tag\": string}: " + item);
            }
        }
        ArrayNode data = JSON.createArrayNode();
        ArrayNode errors = JSON.createArrayNode();
        Map<String, String> createdNow = new HashMap<>();
        int created = 0;
        int invalid = 0;
        for (JsonNode item : add) {
            String value = item.get("value").asText();
            String tag = item.path("tag").isTextual() ? item.get("tag").asText() : null;
            String reason = invalidReason(value);
            Rule existing = liveRuleWithValue(value);
            String existingId = existing != null ? existing.id() : createdNow.get(value);
            if (reason != null) {
                invalid++;
                ObjectNode error = errors.addObject().put("value", value);
                error.putArray("details").add(reason);
                error.put("title", "UnprocessableEntity").put("type", "https://api.twitter.com/2/problems/invalid-rules");
            } else if (existingId != null) {
                invalid++;
                errors.addObject().put("value", value).put("id", existingId).put("title", "DuplicateRule")
                        .put("type", "https://api.twitter.com/2/problems/duplicate-rules");
            } else {
                created++;
                String id = Long.toString(nextRuleId++);
                createdNow.put(value, id);
                ObjectNode node = data.addObject().put("value", value);
                if (tag != null) {
                    node.put("tag", tag);
                }
                node.put("id", id);
                if (!dryRun) {
                    storeRule(id, value, tag);
                }
            }
        }
        ObjectNode answer = JSON.createObjectNode();
        if (!data.isEmpty()) {
            answer.set("data", data);
        }
        ObjectNode meta = answer.putObject("meta").put("sent", ISO_MILLIS.format(Instant.now()));
        meta.putObject("summary").put("created", created).put("not_created", invalid)
                .put("valid", created).put("invalid", invalid);
        if (!errors.isEmpty()) {
            answer.set("errors", errors);
        }
        return write(answer);
    }

    private String invalidReason(String value) {
        if (value.isBlank()) {
            return "Rules must contain a non-stopword keyword or operator.";
        }
        if (value.length() > MAX_RULE_LENGTH) {
            return "Rule length " + value.length() + " exceeds the maximum of " + MAX_RULE_LENGTH + " characters.";
        }
        for (String marker : refusedMarkers) {
            if (value.contains(marker)) {
                return "Reference to invalid operator '" + marker + "'. Operator is not available in current product"
                        + " or product packaging. Please refer to complete available operator list at"
                        + " https://developer.twitter.com/en/docs/twitter-api/tweets/filtered-stream/integrate/build-a-rule.";
            }
        }
        return null;
    }

    private String deleteRules(JsonNode delete, boolean dryRun) {
        JsonNode ids = delete.path("ids");
        JsonNode values = delete.path("values");
        if (!delete.isObject() || (ids.isMissingNode() == values.isMissingNode())) {
            throw new BadRequest("\"delete\" must be {\"ids\": [...]} or {\"values\": [...]}");
        }
        JsonNode list = ids.isMissingNode() ? values : ids;
        if (!list.isArray() || list.isEmpty()) {
            throw new BadRequest("the rules to delete must be a non-empty array");
        }
        int deleted = 0;
        int notDeleted = 0;
        ArrayNode errors = JSON.createArrayNode();
        for (JsonNode item : list) {
            if (!item.isTextual() && !item.isIntegralNumber()) {
                throw new BadRequest("not a rule id or value: " + item);
            }
            String key = item.asText();
            Rule rule = ids.isMissingNode() ? liveRuleWithValue(key) : liveRules.get(key);
            if (rule != null) {
                deleted++;
                if (!dryRun) {
                    liveRules.remove(rule.id());
                }
            } else {
                notDeleted++;
                ObjectNode error = errors.addObject().put("value", key);
                error.putArray("details").add("Rule does not exist");
                error.put("title", "Invalid Request").put("detail", "One or more parameters to your request was invalid.")
                        .put("type", INVALID_REQUEST_TYPE);
            }
        }
        ObjectNode answer = JSON.createObjectNode();
        ObjectNode meta = answer.putObject("meta").put("sent", ISO_MILLIS.format(Instant.now()));
        meta.putObject("summary").put("deleted", deleted).put("not_deleted", notDeleted);
        if (!errors.isEmpty()) {
            answer.set("errors", errors);
        }
        return write(answer);
    }

    private Rule storeRule(String id, String value, String tag) {
        Rule rule = new Rule(id, value, tag);
        liveRules.put(id, rule);
        everyRule.add(rule);
        return rule;
    }

    private Rule liveRuleWithValue(String value) {
        return liveRules.values().stream().filter(rule -> rule.value().equals(value)).findFirst().orElse(null);
    }

    private Rule liveRuleWithTag(String tag) {
        return liveRules.values().stream().filter(rule -> Objects.equals(rule.tag(), tag)).findFirst().orElse(null);
    }

    // ---------------------------------------------------------------- recent search

    private Answer handleSearch(Request request) {
        long nowSeconds = Instant.now().getEpochSecond();
        List<PostEntry> matches = new ArrayList<>();
        Map<String, String> headers;
        Map<String, String> q = request.query();
        synchronized (lock) {
            Plan plan = searchPlans.poll();
            if (plan != null) {
                return planned(plan, searchWindow, nowSeconds);
            }
            headers = searchWindow.hit(nowSeconds);
            try {
                String query = q.get("query");
                if (query == null || query.isEmpty()) {
                    throw new BadRequest("The `query` query parameter can not be empty");
                }
                long sinceId = idParam(q, "since_id", Long.MIN_VALUE);
                long untilId = idParam(q, "until_id", Long.MAX_VALUE);
                Instant start = timeParam(q, "start_time", Instant.MIN);
                Instant end = timeParam(q, "end_time", Instant.MAX);
                int maxResults = 10;
                if (q.containsKey("max_results")) {
                    try {
                        maxResults = Integer.parseInt(q.get("max_results"));
                    } catch (NumberFormatException e) {
                        maxResults = -1;
                    }
                    if (maxResults < 10 || maxResults > 100) {
                        throw new BadRequest("The `max_results` query parameter value [" + q.get("max_results")
                                + "] is not between 10 and 100");
                    }
                }
                long before = Long.MAX_VALUE;
                String nextToken = q.get("next_token");
                if (nextToken != null) {
                    before = decodeToken(nextToken);
                }
                for (int i = posts.size() - 1; i >= 0; i--) {
                    PostEntry post = posts.get(i);
                    if (post.rule.value().equals(query) && post.id > sinceId && post.id < untilId && post.id < before
                            && !post.at.isBefore(start) && post.at.isBefore(end)) {
                        matches.add(post);
                    }
                }
                matches.sort((a, b) -> Long.compare(b.id, a.id));
                boolean more = matches.size() > maxResults;
                List<PostEntry> page = matches.subList(0, Math.min(maxResults, matches.size()));
                return new Answer(200, headers, searchPage(page, more));
            } catch (BadRequest e) {
                return new Answer(400, headers, invalidRequest(e.getMessage()));
            }
        }
    }

    private static String searchPage(List<PostEntry> page, boolean more) {
        ObjectNode answer = JSON.createObjectNode();
        if (page.isEmpty()) {
            answer.putObject("meta").put("result_count", 0);
            return write(answer);
        }
        ArrayNode data = answer.putArray("data");
        page.forEach(post -> data.add(post.data.deepCopy()));
        ArrayNode users = answer.putObject("includes").putArray("users");
        Set<String> authors = new LinkedHashSet<>();
        for (PostEntry post : page) {
            if (authors.add(post.user.get("id").asText())) {
                users.add(post.user.deepCopy());
            }
        }
        ObjectNode meta = answer.putObject("meta")
                .put("newest_id", Long.toString(page.get(0).id))
                .put("oldest_id", Long.toString(page.get(page.size() - 1).id))
                .put("result_count", page.size());
        if (more) {
            meta.put("next_token", NEXT_TOKEN_PREFIX + Long.toString(page.get(page.size() - 1).id, 36));
        }
        return write(answer);
    }

    private static long decodeToken(String token) {
        if (token.startsWith(NEXT_TOKEN_PREFIX)) {
            try {
                return Long.parseLong(token.substring(NEXT_TOKEN_PREFIX.length()), 36);
            } catch (NumberFormatException e) {
                // below
            }
        }
        throw new BadRequest("The `next_token` query parameter value [" + token + "] is not valid");
    }

    private static long idParam(Map<String, String> query, String name, long absent) {
        String value = query.get(name);
        if (value == null) {
            return absent;
        }
        if (!value.matches("[0-9]{1,19}")) {
            throw new BadRequest("The `" + name + "` query parameter value [" + value + "] is not valid");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new BadRequest("The `" + name + "` query parameter value [" + value + "] is not valid");
        }
    }

    private static Instant timeParam(Map<String, String> query, String name, Instant absent) {
        String value = query.get(name);
        if (value == null) {
            return absent;
        }
        try {
            return Instant.parse(value);
        } catch (RuntimeException e) {
            throw new BadRequest("Invalid '" + name + "':'" + value + "'. '" + name
                    + "' must be a valid RFC 3339 timestamp (YYYY-MM-DDTHH:mm:ssZ)");
        }
    }

    // ---------------------------------------------------------------- posts

    /** A published post with what the stream and the search need to serve it. */
    private static final class PostEntry {
        final long id;
        final String tag;
        final Rule rule;
        final Instant at;
        final ObjectNode data;
        final ObjectNode user;
        final String json;
        final String jsonWithErrors;
        volatile boolean streamed;

        PostEntry(long id, String tag, Rule rule, Instant at) {
            this.id = id;
            this.tag = tag;
            this.rule = rule;
            this.at = at;
            String idText = Long.toString(id);
            String hashtag = hashtag(tag);
            String text = "post " + (id - FIRST_POST_ID + 1) + " about " + rule.value() + " #" + hashtag;
            int end = text.codePointCount(0, text.length());
            int start = end - hashtag.codePointCount(0, hashtag.length()) - 1;
            data = JSON.createObjectNode()
                    .put("id", idText)
                    .put("text", text)
                    .put("author_id", AUTHOR_ID)
                    .put("created_at", ISO_MILLIS.format(at))
                    .put("lang", "en");
            data.putObject("entities").putArray("hashtags").addObject()
                    .put("start", start).put("end", end).put("tag", hashtag);
            data.putArray("edit_history_tweet_ids").add(idText);
            data.put("possibly_sensitive", false); // a field the client did not ask for
            user = JSON.createObjectNode()
                    .put("id", AUTHOR_ID)
                    .put("username", "fake_author")
                    .put("name", "Fake Author");
            user.putObject("public_metrics")
                    .put("followers_count", 10).put("following_count", 1).put("tweet_count", 5).put("listed_count", 0);
            ObjectNode message = JSON.createObjectNode();
            message.set("data", data);
            message.putObject("includes").putArray("users").add(user);
            ObjectNode matching = message.putArray("matching_rules").addObject().put("id", rule.id());
            if (rule.tag() != null) {
                matching.put("tag", rule.tag());
            }
            json = write(message);
            ObjectNode withErrors = message.deepCopy();
            try {
                withErrors.set("errors", JSON.readTree(ERRORS_IN_MESSAGE));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            jsonWithErrors = write(withErrors);
        }

        String message(boolean withErrors) {
            return withErrors ? jsonWithErrors : json;
        }

        Post toPost() {
            return new Post(Long.toString(id), tag, json, at, streamed);
        }

        private static String hashtag(String tag) {
            String word = tag == null ? "" : tag.replaceAll("[^\\p{L}\\p{N}_]", "");
            return word.isEmpty() ? "post" : word;
        }
    }

    // ---------------------------------------------------------------- HTTP

    /** The rate-limit window of one endpoint. */
    private static final class RateWindow {
        private final int limit;
        private long start = Long.MIN_VALUE;
        private int used;

        RateWindow(int limit) {
            this.limit = limit;
        }

        /** Counts one request; its rate-limit headers. */
        Map<String, String> hit(long nowSeconds) {
            if (start == Long.MIN_VALUE || nowSeconds >= start + WINDOW_SECONDS) {
                start = nowSeconds;
                used = 0;
            }
            used++;
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("x-rate-limit-limit", Integer.toString(limit));
            headers.put("x-rate-limit-remaining", Integer.toString(Math.max(1, limit - used)));
            headers.put("x-rate-limit-reset", Long.toString(start + WINDOW_SECONDS));
            return headers;
        }
    }

    private static void respond(OutputStream out, int status, Map<String, String> extra, String body, boolean keepAlive)
            throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        if (bytes.length > 0) {
            headers.put("content-type", "application/json; charset=utf-8");
        }
        headers.put("content-length", Integer.toString(bytes.length));
        headers.put("connection", keepAlive ? "keep-alive" : "close");
        extra.forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
        writeHead(out, status, headers);
        out.write(bytes);
        out.flush();
    }

    private static void writeHead(OutputStream out, int status, Map<String, String> headers) throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        head.append("date: ").append(HTTP_DATE.format(Instant.now())).append("\r\n");
        head.append("server: fake-x-stream\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Status " + status;
        };
    }

    private static String invalidRequest(String message) {
        ObjectNode answer = JSON.createObjectNode();
        answer.putArray("errors").addObject().put("message", message);
        answer.put("title", "Invalid Request").put("detail", "One or more parameters to your request was invalid.")
                .put("type", INVALID_REQUEST_TYPE);
        return write(answer);
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String escape(String text) {
        String quoted = write(JSON.getNodeFactory().textNode(text));
        return quoted.substring(1, quoted.length() - 1);
    }

    /** A request that cannot be parsed or served as asked: 400. */
    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    private static final class RawRequest {
        String method;
        String path;
        Map<String, String> query = new LinkedHashMap<>();
        Map<String, String> headers = new LinkedHashMap<>();
        String body = "";
        boolean keepAlive;
    }

    /** Reads HTTP/1.1 requests from a connection; also the byte source of a stream's client-close checks. */
    private static final class HttpIn {
        private static final int MAX_LINE = 64 * 1024;
        private static final int MAX_BODY = 16 * 1024 * 1024;

        private final InputStream in;
        private final byte[] buffer = new byte[8192];
        private int position;
        private int length;

        HttpIn(InputStream in) {
            this.in = in;
        }

        int read() throws IOException {
            if (position == length) {
                int n = in.read(buffer, 0, buffer.length);
                if (n <= 0) {
                    return -1;
                }
                position = 0;
                length = n;
            }
            return buffer[position++] & 0xff;
        }

        /** A line without its CRLF (or LF); null at the end of the input before any byte. */
        String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                int b = read();
                if (b < 0) {
                    if (line.size() == 0) {
                        return null;
                    }
                    throw new EOFException("connection closed within a line");
                }
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
                }
                if (line.size() >= MAX_LINE) {
                    throw new BadRequest("line too long");
                }
                line.write(b);
            }
        }

        byte[] readBytes(int n) throws IOException {
            byte[] bytes = new byte[n];
            for (int i = 0; i < n; i++) {
                int b = read();
                if (b < 0) {
                    throw new EOFException("connection closed within a body");
                }
                bytes[i] = (byte) b;
            }
            return bytes;
        }

        /** The next request, null if the client closed the connection before sending one. */
        RawRequest readRequest(OutputStream out) throws IOException {
            String requestLine;
            do {
                requestLine = readLine();
                if (requestLine == null) {
                    return null;
                }
            } while (requestLine.isEmpty());
            String[] parts = requestLine.split(" ");
            if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
                throw new BadRequest("malformed request line: " + requestLine);
            }
            RawRequest request = new RawRequest();
            request.method = parts[0];
            String target = parts[1];
            int mark = target.indexOf('?');
            request.path = mark < 0 ? target : target.substring(0, mark);
            if (mark >= 0) {
                for (String pair : target.substring(mark + 1).split("&")) {
                    if (pair.isEmpty()) {
                        continue;
                    }
                    int eq = pair.indexOf('=');
                    try {
                        String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                        request.query.put(name, value);
                    } catch (IllegalArgumentException e) {
                        throw new BadRequest("malformed query: " + pair);
                    }
                }
            }
            for (String line = readLine(); ; line = readLine()) {
                if (line == null) {
                    throw new EOFException("connection closed within the headers");
                }
                if (line.isEmpty()) {
                    break;
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new BadRequest("malformed header: " + line);
                }
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                request.headers.merge(name, value, (a, b) -> a + ", " + b);
            }
            String connection = request.headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
            request.keepAlive = parts[2].equals("HTTP/1.1") ? !connection.contains("close") : connection.contains("keep-alive");
            boolean chunked = request.headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked");
            String contentLength = request.headers.get("content-length");
            if ((chunked || contentLength != null)
                    && "100-continue".equalsIgnoreCase(request.headers.getOrDefault("expect", ""))) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            byte[] body;
            if (chunked) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                while (true) {
                    String sizeLine = readLine();
                    if (sizeLine == null) {
                        throw new EOFException("connection closed within a chunked body");
                    }
                    int semicolon = sizeLine.indexOf(';');
                    int size;
                    try {
                        size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                    } catch (NumberFormatException e) {
                        throw new BadRequest("malformed chunk size: " + sizeLine);
                    }
                    if (size < 0 || all.size() + size > MAX_BODY) {
                        throw new BadRequest("body too large");
                    }
                    if (size == 0) {
                        for (String trailer = readLine(); trailer != null && !trailer.isEmpty(); trailer = readLine()) {
                            // trailers are ignored
                        }
                        break;
                    }
                    all.write(readBytes(size));
                    if (!"".equals(readLine())) {
                        throw new BadRequest("malformed chunk end");
                    }
                }
                body = all.toByteArray();
            } else if (contentLength != null) {
                int n;
                try {
                    n = Integer.parseInt(contentLength.trim());
                } catch (NumberFormatException e) {
                    throw new BadRequest("malformed content-length: " + contentLength);
                }
                if (n < 0 || n > MAX_BODY) {
                    throw new BadRequest("bad content-length: " + contentLength);
                }
                body = readBytes(n);
            } else {
                body = new byte[0];
            }
            request.body = new String(body, StandardCharsets.UTF_8);
            return request;
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing anyway
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
