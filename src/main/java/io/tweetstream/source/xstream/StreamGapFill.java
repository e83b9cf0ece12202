package io.tweetstream.source.xstream;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.tweetstream.source.Backoff;
import io.tweetstream.source.RateLimitHeaders;
import io.tweetstream.source.Pause;
import io.tweetstream.source.x.V2Tweet;
import io.tweetstream.source.x.XProblem;
import io.tweetstream.source.x.cost.XPostReads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills the gaps of the filtered stream from recent search ({@code GET /2/tweets/search/recent}):
 * after a reconnect or a restart, for each configured rule value, the posts newer than the last one
 * done before the gap ({@code since_id}), page by page ({@code next_token}, at most
 * {@code X_STREAM_GAP_FILL_MAX_PAGES} pages per rule), oldest first into the stream's queue with the
 * tags of every rule that found them. It runs on a thread of its own while the stream runs again;
 * dedup drops what both delivered. The cursor stays at the gap's start until every post of the
 * fill is done, so a crash during a fill fills it again. A reconnect during a fill makes it run once
 * more when it ends (from the same start).
 *
 * <p>What it cannot recover (README): rules whose operators recent search lacks ({@code sample:},
 * {@code bio:}, ...) or longer than its 512 characters, retweets (keyword search no longer returns
 * them since May 2026), and posts older than its 7 days.
 */
public class StreamGapFill {

    /** The path of recent search, below X_API_BASE_URL. */
    static final String PATH = "tweets/search/recent";

    private static final Logger LOG = LoggerFactory.getLogger(StreamGapFill.class);

    private final XApiHttp http;
    private final StreamRules rules;
    private final StreamCursor cursor;
    private final ToLongFunction<V2Tweet> queue;
    private final Duration httpBackoff;
    private final Duration maxBackoff;
    private final int maxPages;
    private final Clock clock;
    private final Set<String> unsearchable = new HashSet<>();
    private final Pause pause = new Pause();

    private boolean requested;
    private boolean stopped;
    private Thread worker;
    private volatile Counter posts;
    private volatile XPostReads postReads = new XPostReads();

    StreamGapFill(XApiHttp http, StreamRules rules, StreamCursor cursor, ToLongFunction<V2Tweet> queue,
            Duration httpBackoff, Duration maxBackoff, int maxPages, Clock clock) {
        this.http = http;
        this.rules = rules;
        this.cursor = cursor;
        this.queue = queue;
        this.httpBackoff = httpBackoff;
        this.maxBackoff = maxBackoff;
        this.maxPages = maxPages;
        this.clock = clock;
    }

    /** A connection (re)opened after a gap: fill it now, or once more after the fill under way. */
    public synchronized void fill() {
        if (stopped) {
            return;
        }
        requested = true;
        if (worker == null || !worker.isAlive()) {
            worker = new Thread(this::run, "x-v2-stream-gap-fill");
            worker.setDaemon(true);
            worker.start();
        }
    }

    /** Stops filling; a gap not filled stays held in the cursor (filled after the restart). */
    public void stop() {
        Thread thread;
        synchronized (this) {
            stopped = true;
            thread = worker;
        }
        pause.wake();
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void countWith(Counter counter) {
        this.posts = counter;
    }

    /** Counts the posts of each page read, and stops the fill when the daily budget is reached. */
    void readsCountedBy(XPostReads postReads) {
        this.postReads = postReads;
    }

    private void run() {
        while (true) {
            synchronized (this) {
                if (!requested || stopped) {
                    worker = null;
                    return;
                }
                requested = false;
            }
            // the gap starts after the lines queued before it, known once they are all done
            while (cursor.gapOpen() && !cursor.gapResolved() && !isStopped()) {
                pause(Duration.ofMillis(20));
            }
            if (!cursor.gapResolved()) {
                continue;
            }
            long sinceId = cursor.heldAt();
            java.time.Instant from = cursor.gapFrom();
            if (sinceId <= 0 && from == null) {
                continue;
            }
            Optional<Long> last = fillFrom(sinceId, from);
            synchronized (this) {
                if (stopped) {
                    worker = null;
                    return;
                }
                if (last.isPresent() && !requested) {
                    cursor.filled(last.get());
                }
            }
        }
    }

    /**
     * Queues the posts of every rule after {@code sinceId}; the queue position of the last one (or
     * of nothing: the current position), or empty when stopped or cut by X_DAILY_POST_READS_BUDGET (the
     * posts read until then are queued, the gap stays held and is filled again once reads resume).
     */
    private Optional<Long> fillFrom(long sinceId, java.time.Instant from) {
        Map<String, V2Tweet> found = new TreeMap<>((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
        Map<String, List<String>> tags = new LinkedHashMap<>();
        boolean budgetReached = false;
        for (StreamRules.Rule rule : rules.rules()) {
            if (unsearchable.contains(rule.value())) {
                continue;
            }
            if (rule.value().length() > 512) {
                unsearchable.add(rule.value());
                LOG.warn("Gap fill cannot search the stream rule {}: longer than recent search's 512 characters; its posts"
                        + " of a gap are not recovered", rule);
                continue;
            }
            if (!searchRule(rule, sinceId, from, found, tags)) {
                if (isStopped()) {
                    return Optional.empty();
                }
                budgetReached = true;
                break;
            }
        }
        long last = 0;
        for (Map.Entry<String, V2Tweet> post : found.entrySet()) {
            last = queue.applyAsLong(post.getValue().withMatchingRules(tags.get(post.getKey())));
            if (posts != null) {
                posts.increment();
            }
        }
        if (budgetReached) {
            LOG.info("Gap {} not filled: X_DAILY_POST_READS_BUDGET reached; the {} post(s) found are queued, the gap is"
                    + " searched again once reads resume", sinceId > 0 ? "after post " + sinceId : "since " + from,
                    found.size());
            return Optional.empty();
        }
        LOG.info("Gap {} searched in recent search: {} post(s) found for {} rule(s) (those the stream delivered too"
                + " are dropped as duplicates)", sinceId > 0 ? "after post " + sinceId : "since " + from, found.size(),
                rules.rules().size());
        return Optional.of(last == 0 ? cursor.lastQueued() : last);
    }

    /** One rule's pages; false when stopped, or when X_DAILY_POST_READS_BUDGET stops reading. */
    private boolean searchRule(StreamRules.Rule rule, long sinceId, java.time.Instant from, Map<String, V2Tweet> found,
            Map<String, List<String>> tags) {
        String nextToken = null;
        String since = sinceId > 0 ? Long.toString(sinceId) : null;
        String startTime = sinceId > 0 || from == null ? null
                : java.time.format.DateTimeFormatter.ISO_INSTANT.format(from.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        int failures = 0;
        for (int page = 0; page < maxPages; ) {
            if (isStopped() || !postReads.mayRead()) {
                return false;
            }
            Map<String, String> query = new LinkedHashMap<>();
            query.put("query", rule.value());
            query.put("max_results", "100");
            if (since != null) {
                query.put("since_id", since);
            } else if (startTime != null) {
                query.put("start_time", startTime);
            }
            if (nextToken != null) {
                query.put("next_token", nextToken);
            }
            query.putAll(V2Tweet.FIELDS);
            XApiHttp.Answer answer;
            try {
                answer = http.get(PATH, query);
            } catch (IOException e) {
                Duration wait = Backoff.exponential(httpBackoff, ++failures, maxBackoff);
                LOG.warn("Gap fill: no answer from {} ({}); trying again in {} ms", http.url(PATH, Map.of()), e.toString(),
                        wait.toMillis());
                pause(wait);
                continue;
            }
            JsonNode json = StreamRules.parse(answer.body());
            if (answer.status() == 200 && json != null && json.isObject()) {
                failures = 0;
                page++;
                List<V2Tweet> read = V2Tweet.of(json);
                postReads.read(io.tweetstream.source.TweetSourceSettings.X_V2_STREAM, PATH, read);
                for (V2Tweet post : read) {
                    if (V2Tweet.isTweetId(post.id()) && Long.parseLong(post.id()) > Math.max(0, sinceId)) {
                        found.putIfAbsent(post.id(), post);
                        List<String> postTags = tags.computeIfAbsent(post.id(), id -> new ArrayList<>());
                        String tag = rule.tag() != null ? rule.tag() : rule.value();
                        if (!postTags.contains(tag)) {
                            postTags.add(tag);
                        }
                    }
                }
                nextToken = json.path("meta").hasNonNull("next_token") ? json.path("meta").get("next_token").asText() : null;
                if (nextToken == null) {
                    return true;
                }
                continue;
            }
            String problem = XProblem.of(json, answer.body());
            if (answer.status() == 400 && since != null && answer.body().contains("since_id")) {
                LOG.warn("Gap fill: recent search refuses since_id {} ({}): the gap is older than its 7 days; filling it"
                        + " from the newest posts, {} page(s) at most, for {}", since, problem, maxPages, rule);
                since = null;
                startTime = null;
                nextToken = null;
                continue;
            }
            if (answer.status() == 400 || answer.status() == 401 || answer.status() == 403 || answer.status() == 404) {
                unsearchable.add(rule.value());
                LOG.warn("Gap fill cannot search the stream rule {} (HTTP {}: {}): its posts of a gap are not recovered"
                        + " (recent search lacks some stream operators, e.g. sample: and bio:, or your access lacks"
                        + " recent search)", rule, answer.status(), problem);
                return true;
            }
            Duration wait = answer.status() == 429
                    ? RateLimitHeaders.rateLimitWait(answer.header(), clock.instant())
                            .orElse(Backoff.exponential(httpBackoff, ++failures, maxBackoff))
                    : Backoff.exponential(httpBackoff, ++failures, maxBackoff);
            LOG.warn("Gap fill: recent search answered HTTP {} ({}); trying again in {} ms", answer.status(), problem,
                    wait.toMillis());
            pause(wait);
        }
        if (nextToken != null) {
            LOG.warn("Gap fill read {} page(s) for the stream rule {} (X_STREAM_GAP_FILL_MAX_PAGES): older posts of the gap"
                    + " are not recovered", maxPages, rule);
        }
        return true;
    }

    private synchronized boolean isStopped() {
        return stopped;
    }

    private void pause(Duration wait) {
        pause.await(wait, () -> !isStopped());
    }
}
