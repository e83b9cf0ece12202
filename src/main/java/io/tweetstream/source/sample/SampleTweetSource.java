package io.tweetstream.source.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import twitter4j.TwitterException;
import twitter4j.TwitterObjectFactory;
import twitter4j.v1.Status;

/**
 * The sample tweet source: replays the bundled Twitter API v1.1 JSON tweets as twitter4j
 * {@link Status} objects, parsed by twitter4j exactly as camel-twitter's are (once, at start-up).
 *
 * <p>Paced at {@code rate} tweets per second (0: as fast as the route takes them) with a token
 * bucket, so any timer period works. With {@code loop} off, the sample is sent once, exactly as in
 * the file, ids included. With {@code loop} on it is replayed endlessly as a live stream: every
 * tweet sent gets a fresh id (time-ordered like Twitter's own ids, never reused, also across
 * restarts) and a fresh {@code created_at}, so a restarted app goes on publishing new tweets at
 * once instead of repeating ones already published. With a {@code limit}, no more than that many
 * tweets are sent in all (a load test of a known size).
 */
public class SampleTweetSource implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(SampleTweetSource.class);
    /** Twitter's id epoch (2010-11-04T01:42:54.657Z); ids carry milliseconds since then above bit 22. */
    private static final long TWITTER_EPOCH_MILLIS = 1288834974657L;

    private final ObjectMapper mapper = new ObjectMapper();
    private final LongSupplier nanoClock;
    private CamelContext camelContext;
    private String file = "classpath:sample-tweets.jsonl";
    private double rate = 5;
    private boolean loop = true;
    private int maxBatch = 1000;
    private long limit;

    private List<Status> tweets = List.of();
    private int next;
    private long pass;
    private long lastId;
    private double tokens;
    private long lastRefill;
    private long sent;
    private boolean finishedLogged;

    public SampleTweetSource() {
        this(System::nanoTime);
    }

    /** With the clock that paces the rate, in nanoseconds (tests pass their own). */
    SampleTweetSource(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * The tweets due now: as many as the rate allows since the last call (at most {@code maxBatch}),
     * an empty list when none is due or a single pass is over.
     */
    public synchronized List<Status> nextBatch() {
        int due = due();
        if (limit > 0 && sent + due > limit) {
            due = (int) (limit - sent);
            if (due == 0) {
                logLimitReached();
            }
        }
        List<Status> batch = new ArrayList<>(due);
        for (int i = 0; i < due; i++) {
            if (next == tweets.size()) {
                if (!loop) {
                    logFinished();
                    break;
                }
                next = 0;
                pass++;
                LOG.debug("Sample source: pass {} over the {} sample tweets", pass + 1, tweets.size());
            }
            batch.add(status(tweets.get(next++)));
            sent++;
        }
        return batch;
    }

    /** Number of sample tweets in the file. */
    public int size() {
        return tweets.size();
    }

    private int due() {
        if (rate <= 0) {
            return maxBatch;
        }
        long now = nanoClock.getAsLong();
        if (lastRefill == 0) {
            lastRefill = now;
            tokens = 1;
        }
        tokens = Math.min(maxBatch, tokens + (now - lastRefill) * rate / 1_000_000_000d);
        lastRefill = now;
        int due = (int) tokens;
        tokens -= due;
        return due;
    }

    private Status status(Status tweet) {
        if (!loop) {
            return tweet;
        }
        return ReplayedStatus.of(tweet, freshId(), LocalDateTime.now());
    }

    /** A Twitter-style id from the current time, strictly greater than any id handed out before. */
    private long freshId() {
        long fromClock = (System.currentTimeMillis() - TWITTER_EPOCH_MILLIS) << 22;
        lastId = Math.max(fromClock, lastId + 1);
        return lastId;
    }

    private void logLimitReached() {
        if (!finishedLogged) {
            finishedLogged = true;
            LOG.info("Sample source: {} tweets sent, the limit (TWEETS_SAMPLE_LIMIT); sending no more", limit);
        }
    }

    private void logFinished() {
        if (!finishedLogged) {
            finishedLogged = true;
            LOG.info("Sample source: all {} sample tweets sent once; not looping (TWEETS_SAMPLE_LOOP=false)",
                    tweets.size());
        }
    }

    /** Loads the sample tweets; fails at start-up when the file is missing or not JSON lines. */
    public synchronized void start() throws IOException {
        List<Status> loaded = new ArrayList<>();
        try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(camelContext, file);
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    if (!(mapper.readTree(line) instanceof ObjectNode)) {
                        throw new IllegalArgumentException("not a JSON object");
                    }
                    loaded.add(TwitterObjectFactory.createStatus(line));
                } catch (IOException | TwitterException | IllegalArgumentException e) {
                    throw new IllegalArgumentException("Sample tweets file " + file + " line " + lineNumber
                            + " is not a JSON object: " + e.getMessage(), e);
                }
            }
        }
        if (loaded.isEmpty()) {
            throw new IllegalArgumentException("Sample tweets file " + file + " holds no tweets");
        }
        tweets = Collections.unmodifiableList(loaded);
        LOG.info("Sample source: {} tweets from {}, {} per second{}", tweets.size(), file,
                rate > 0 ? rate : "as many as", loop ? ", looping with fresh ids" : ", one pass");
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    public void setFile(String file) {
        this.file = file;
    }

    public void setRate(double rate) {
        if (rate < 0) {
            throw new IllegalArgumentException("TWEETS_SAMPLE_RATE must be 0 (as fast as possible) or more, but is "
                    + rate);
        }
        this.rate = rate;
    }

    /** Sends no more than this many tweets in all; 0: no limit. */
    public void setLimit(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("TWEETS_SAMPLE_LIMIT must be 0 (no limit) or more, but is " + limit);
        }
        this.limit = limit;
    }

    public void setLoop(boolean loop) {
        this.loop = loop;
    }

    public void setMaxBatch(int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, but is " + maxBatch);
        }
        this.maxBatch = maxBatch;
    }
}
