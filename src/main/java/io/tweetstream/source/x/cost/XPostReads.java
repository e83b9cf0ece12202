package io.tweetstream.source.x.cost;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.tweetstream.kafka.SourceCursors;
import io.tweetstream.metrics.AppMeters;
import io.tweetstream.source.ApiSourceStatus;
import io.tweetstream.source.SourceSetting;
import io.tweetstream.source.TweetSourceSettings;
import io.tweetstream.source.x.V2Tweet;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the X sources read, as X bills it, and the daily budget ({@code X_DAILY_POST_READS_BUDGET}).
 *
 * <p>Every post of every answer is counted where the answer is parsed ({@code x-v2-search}'s pages,
 * the stream's lines with a post, gap fill's pages), duplicates included, in the counter
 * {@code tweetstream.x.post.reads} (tags {@code source}, {@code endpoint}); the distinct posts of the
 * current UTC day ({@link DailyPostReads}) and their estimated cost ({@code X_POST_READ_PRICE_USD}
 * each) are gauges.
 *
 * <p>The sources ask {@link #mayRead} before each request (and the stream after each line): once
 * today's distinct reads reach the budget it says no until the next UTC day, with one ERROR line,
 * and readiness is DOWN ({@link ApiSourceStatus}). What was read before goes to Kafka as usual.
 * The day's count is kept in the cursors topic (key {@value #KEY}), saved at most every
 * {@code saveIntervalMs}, when the budget is reached and when the app stops, and read back before the
 * first read: a restart in the middle of a day goes on from it rather than from zero.
 */
public class XPostReads implements ApiSourceStatus, CamelContextAware {

    /** The key of the day's count in the cursors topic. */
    public static final String KEY = "x-post-reads";
    /** The budget's variable, named in every line about it. */
    public static final String BUDGET_VARIABLE = "X_DAILY_POST_READS_BUDGET";
    /** The budget when none is set: about 50 USD a day at X's price of 0.005 USD a read. */
    public static final long DEFAULT_BUDGET = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(XPostReads.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final DailyPostReads today;
    private final Map<String, Counter> reads = new ConcurrentHashMap<>();
    private final Object meterLock = new Object();
    private CamelContext camelContext;
    private volatile MeterRegistry registry;

    private String source = "";
    private long budget = DEFAULT_BUDGET;
    private double priceUsd = 0.005;
    private long saveIntervalMs = 5_000;
    private SourceCursors cursors;

    // guarded by this
    private boolean loaded;
    private boolean loadWarned;
    private LocalDate pausedDay;
    private long lastSaveAttempt;
    private boolean saveAttempted;
    private boolean saving;
    private boolean saveWarned;

    public XPostReads() {
        this(Clock.systemUTC());
    }

    public XPostReads(Clock clock) {
        this.clock = clock;
        this.today = new DailyPostReads(clock);
    }

    /**
     * Whether an X source may read now (send a request, read on): not once today's distinct reads
     * reached the budget, until the next UTC day; and, with a budget, not before the count saved by
     * an earlier run could be read.
     */
    public boolean mayRead() {
        if (registry == null) {
            meters();
        }
        synchronized (this) {
            return load() && !paused();
        }
    }

    /** The posts of one answer were read (a page, or gap fill's page). */
    public void read(String source, String endpoint, Collection<V2Tweet> posts) {
        if (posts.isEmpty()) {
            return;
        }
        counter(source, endpoint).increment(posts.size());
        boolean reached;
        synchronized (this) {
            load();
            for (V2Tweet post : posts) {
                add(post);
            }
            reached = reachedNow();
        }
        saveIfDue(reached);
    }

    /** One post was read (a line of the stream). */
    public void read(String source, String endpoint, V2Tweet post) {
        read(source, endpoint, List.of(post));
    }

    private void add(V2Tweet post) {
        if (V2Tweet.isTweetId(post.id())) {
            today.add(Long.parseLong(post.id()));
        }
    }

    /** Whether this read reached the budget (the ERROR line is written then, once a day). */
    private boolean reachedNow() {
        if (budget == 0 || paused() || today.distinct() < budget) {
            return false;
        }
        pausedDay = today.day();
        LOG.error("{} reached: {} distinct posts read today ({} UTC), budget {}, about ${} at {} USD a read: the X"
                + " source {} reads nothing more until {} (the next UTC day); the posts already read still go to Kafka."
                + " Raise {} to read on today", BUDGET_VARIABLE, today.distinct(), today.day(), budget,
                cost(), price(), source, resumesAt(), BUDGET_VARIABLE);
        return true;
    }

    /** Whether the budget stops reading now; at a new UTC day the pause ends. */
    private boolean paused() {
        if (pausedDay == null) {
            return false;
        }
        if (pausedDay.equals(today.day())) {
            return true;
        }
        LOG.info("A new UTC day ({}): {} starts again from 0 of {}, the X source {} reads again", today.day(),
                BUDGET_VARIABLE, budget, source);
        pausedDay = null;
        return false;
    }

    /** The start of the next UTC day. */
    public Instant resumesAt() {
        return today.day().plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** Distinct posts read in the current UTC day. */
    public synchronized long distinctToday() {
        return today.distinct();
    }

    /** Estimated cost of today's reads in USD. */
    public synchronized double cost() {
        return today.distinct() * priceUsd;
    }

    private String price() {
        return BigDecimal.valueOf(priceUsd).stripTrailingZeros().toPlainString();
    }

    /** Reads the count an earlier run saved today, once. */
    private boolean load() {
        if (loaded) {
            return true;
        }
        if (cursors == null || !TweetSourceSettings.isXSource(source)) {
            loaded = true;
            return true;
        }
        try {
            Optional<String> saved = cursors.read(KEY);
            loaded = true;
            if (saved.isPresent()) {
                JsonNode value = JSON.readTree(saved.get());
                LocalDate day = LocalDate.parse(value.path("day").asText());
                long count = value.path("distinct").asLong(0);
                today.restore(day, count);
                if (day.equals(today.day())) {
                    LOG.info("X post reads today ({} UTC) before this run: {} distinct (saved {}){}", day, count,
                            value.path("savedAt").asText("?"), budget > 0 ? ", budget " + budget : "");
                }
                reachedNow();
            }
            return true;
        } catch (IOException | RuntimeException e) {
            if (e instanceof IOException || e instanceof java.time.format.DateTimeParseException) {
                loaded = true;
                LOG.warn("The saved count of today's X post reads ({} in the cursors topic) is unreadable ({}): counting"
                        + " from 0", KEY, e.getMessage());
                return true;
            }
            if (budget == 0) {
                loaded = true;
                LOG.warn("Cannot read today's X post reads from the cursors topic ({}): counting today from 0 (no {}"
                        + " is set)", e.getMessage(), BUDGET_VARIABLE);
                return true;
            }
            if (!loadWarned) {
                LOG.warn("Cannot read today's X post reads from the cursors topic yet ({}): no X read until it can be"
                        + " read ({} {} could be overrun otherwise)", e.getMessage(), BUDGET_VARIABLE, budget);
                loadWarned = true;
            }
            return false;
        }
    }

    /** Saves the day's count when due, at once when the budget was just reached; never under the lock. */
    private void saveIfDue(boolean now) {
        String value;
        synchronized (this) {
            long at = System.nanoTime();
            if (cursors == null || !loaded || saving
                    || !now && saveAttempted && at - lastSaveAttempt < Duration.ofMillis(saveIntervalMs).toNanos()) {
                return;
            }
            lastSaveAttempt = at;
            saveAttempted = true;
            saving = true;
            value = savedValue();
        }
        try {
            cursors.write(KEY, value);
            synchronized (this) {
                saveWarned = false;
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                if (!saveWarned) {
                    LOG.warn("Could not save today's X post reads to the cursors topic ({}): tried again in {} ms; a"
                            + " restart before that counts today from the last saved count", e.getMessage(), saveIntervalMs);
                    saveWarned = true;
                }
            }
        } finally {
            synchronized (this) {
                saving = false;
            }
        }
    }

    /**
     * Says at start-up, when an X source is selected, what the budget lets it spend a day: one INFO
     * line, or a WARN when {@value #BUDGET_VARIABLE} is 0 (no limit).
     */
    public void logBudget() {
        if (!TweetSourceSettings.isXSource(source)) {
            return;
        }
        if (budget == 0) {
            LOG.warn("X post-read budget: none ({}=0): the X source {} reads without a daily limit, at ${} a read;"
                    + " set {} to a number of reads a day to cap what it costs", BUDGET_VARIABLE, source, price(),
                    BUDGET_VARIABLE);
            return;
        }
        LOG.info("X post-read budget: {} reads a day, about ${} a day at ${} a read ({}; 0 turns it off)",
                String.format(Locale.ROOT, "%,d", budget), String.format(Locale.ROOT, "%,.2f", budget * priceUsd),
                price(), BUDGET_VARIABLE);
    }

    /** Saves the day's count (when the app stops). */
    public void save() {
        saveIfDue(true);
    }

    private String savedValue() {
        ObjectNode value = JSON.createObjectNode();
        value.put("day", today.day().toString());
        value.put("distinct", today.distinct());
        value.put("savedAt", clock.instant().toString());
        return value.toString();
    }

    private Counter counter(String source, String endpoint) {
        String key = source + ' ' + endpoint;
        Counter counter = reads.get(key);
        if (counter != null) {
            return counter;
        }
        MeterRegistry meters = meters();
        return reads.computeIfAbsent(key, k -> Counter.builder("tweetstream.x.post.reads")
                .description("Posts in the answers of the X API (duplicates included: X bills reads, not what is published)")
                .tags(contextTag()).tag("source", source).tag("endpoint", endpoint).register(meters));
    }

    private List<Tag> contextTag() {
        return AppMeters.contextTag(camelContext);
    }

    /**
     * The meter registry, with the gauges registered once: the app's (camel-micrometer's), or one of
     * its own without a Camel context (unit tests).
     */
    MeterRegistry meters() {
        synchronized (meterLock) {
            return registerMeters();
        }
    }

    /** Not under this object's lock: a scrape reads the gauges under the registry's while they are registered. */
    private MeterRegistry registerMeters() {
        if (registry != null) {
            return registry;
        }
        MeterRegistry meters = AppMeters.registry(camelContext);
        Gauge.builder("tweetstream.x.post.reads.today", this, XPostReads::distinctToday).tags(contextTag())
                .description("Distinct posts read by the X sources in the current UTC day (what X bills)").register(meters);
        Gauge.builder("tweetstream.x.post.reads.cost", this, XPostReads::cost).baseUnit("usd").tags(contextTag())
                .description("Estimated cost of today's distinct post reads (X_POST_READ_PRICE_USD each)").register(meters);
        Gauge.builder("tweetstream.x.post.reads.budget", this, reads -> reads.budget).tags(contextTag())
                .description("X_DAILY_POST_READS_BUDGET: distinct post reads a UTC day at most (0: none)").register(meters);
        Gauge.builder("tweetstream.x.post.reads.paused", this, reads -> reads.pausedNow() ? 1 : 0).tags(contextTag())
                .description("1 while the X sources are paused by X_DAILY_POST_READS_BUDGET until the next UTC day")
                .register(meters);
        registry = meters;
        return meters;
    }

    private synchronized boolean pausedNow() {
        return paused();
    }

    @Override
    public boolean serves(String candidate) {
        return TweetSourceSettings.isXSource(candidate) && candidate.equals(source);
    }

    @Override
    public synchronized Optional<String> notReadyReason() {
        if (!paused()) {
            return Optional.empty();
        }
        return Optional.of(BUDGET_VARIABLE + " reached: " + today.distinct() + " distinct posts read today ("
                + today.day() + " UTC), budget " + budget + "; the X source reads again at " + resumesAt());
    }

    @Override
    public synchronized Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("postReadsToday", today.distinct());
        details.put("postReadsBudget", budget);
        details.put("postReadsCostUsd", String.format(Locale.ROOT, "%.2f", cost()));
        if (paused()) {
            details.put("postReadsPausedUntil", resumesAt().toString());
        }
        return details;
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

    public void setBudget(String value) {
        this.budget = SourceSetting.number(BUDGET_VARIABLE, value, 0, "distinct post reads a UTC day (0: no budget)");
    }

    public void setPriceUsd(String value) {
        this.priceUsd = SourceSetting.decimal("X_POST_READ_PRICE_USD", value, "US dollars a post read");
    }

    /** How often, at most, the day's count is saved while posts are read (5 s). */
    void setSaveIntervalMs(long saveIntervalMs) {
        this.saveIntervalMs = saveIntervalMs;
    }

    public void setCursors(SourceCursors cursors) {
        this.cursors = cursors;
    }
}
