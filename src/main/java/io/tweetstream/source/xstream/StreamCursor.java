package io.tweetstream.source.xstream;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tweetstream.kafka.SourceCursors;
import io.tweetstream.source.TweetSourceSettings;
import io.tweetstream.source.x.V2Tweet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far the filtered stream has published, durably: the newest post id such that every line
 * queued before it is done (on Kafka, dropped as a duplicate, or parked). Lines are done out of order
 * (many are in flight), so the cursor is a watermark over their queue order. While a gap is being
 * filled from recent search the saved cursor stays at the gap's start, so a crash during the fill
 * fills it again after the restart. Saved in {@link SourceCursors} (the compacted cursors topic) under
 * {@code x-v2-stream}, at most every {@code saveIntervalMs} and when the source stops.
 */
public class StreamCursor {

    /** The cursor's key in the cursors topic. */
    public static final String KEY = TweetSourceSettings.X_V2_STREAM;

    private static final Logger LOG = LoggerFactory.getLogger(StreamCursor.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The cursor as read back at start-up: the newest id done, and when it was saved. */
    public record Saved(long lastId, Instant savedAt) {
    }

    private final Clock clock;
    private final SourceCursors cursors;
    private final long saveIntervalMs;

    private long nextSequence = 1;
    private final TreeSet<Long> queued = new TreeSet<>();
    private final TreeMap<Long, Long> doneAhead = new TreeMap<>();
    /** Newest post id of the lines below the watermark (0: none yet). */
    private long watermarkId;
    /**
     * The gap being filled: its start (the newest id done before it; null: no gap, or not known yet),
     * the queue position every line before the gap has ({@code -1}: known), when the stream first
     * opened (where to search from when no id is known), and the queue position its fill must pass.
     */
    private Long holdAt;
    private long gapBoundary = -1;
    private Instant gapFrom;
    private long holdUntilSequence = Long.MAX_VALUE;
    private long savedId;
    private Instant lastSave = Instant.EPOCH;

    public StreamCursor(SourceCursors cursors, long saveIntervalMs, Clock clock) {
        this.cursors = cursors;
        this.saveIntervalMs = saveIntervalMs;
        this.clock = clock;
    }

    /** The saved cursor; throws while Kafka does not answer. */
    public Optional<Saved> load() {
        Optional<String> value = cursors.read(KEY);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode json = JSON.readTree(value.get());
            String id = json.path("lastId").asText("");
            if (!V2Tweet.isTweetId(id)) {
                return Optional.empty();
            }
            Instant at = json.hasNonNull("savedAt") ? Instant.parse(json.get("savedAt").asText()) : clock.instant();
            synchronized (this) {
                watermarkId = Math.max(watermarkId, Long.parseLong(id));
                savedId = watermarkId;
            }
            return Optional.of(new Saved(Long.parseLong(id), at));
        } catch (Exception e) {
            LOG.warn("The saved cursor of the X stream is unreadable ({}): starting without it", e.getMessage());
            return Optional.empty();
        }
    }

    /** Numbers a line about to be queued; it counts as outstanding until {@link #done}. */
    public synchronized long queue() {
        long sequence = nextSequence++;
        queued.add(sequence);
        return sequence;
    }

    /** The line is done; {@code postId} its post's id (0 when it had none). */
    public void done(long sequence, long postId) {
        synchronized (this) {
            if (!queued.remove(sequence)) {
                return;
            }
            doneAhead.put(sequence, postId);
            long lowest = queued.isEmpty() ? Long.MAX_VALUE : queued.first();
            while (!doneAhead.isEmpty() && doneAhead.firstKey() < lowest) {
                var line = doneAhead.pollFirstEntry();
                watermarkId = Math.max(watermarkId, line.getValue());
                if (gapBoundary >= 0 && line.getKey() >= gapBoundary) {
                    resolveGap();
                }
            }
            settle(lowest);
        }
        saveIfDue();
    }

    /** Saves the cursor if it moved and the last save is {@code saveIntervalMs} ago. */
    public void saveIfDue() {
        synchronized (this) {
            if (!clock.instant().isAfter(lastSave.plusMillis(saveIntervalMs)) || durableId() == savedId) {
                return;
            }
        }
        save();
    }

    /** What may be saved: the watermark, or the start of the gap being filled. */
    private long durableId() {
        return holdAt != null ? Math.min(holdAt, watermarkId) : watermarkId;
    }

    /** The newest id done, where a gap that starts now must be filled from (0: nothing seen yet). */
    public synchronized long lastId() {
        return watermarkId;
    }

    /** A gap begins after {@code sinceId} (the last run's cursor): the saved cursor waits there until it is filled. */
    public synchronized void hold(long sinceId) {
        if (gapBoundary >= 0) {
            return;
        }
        if (holdAt == null || sinceId < holdAt) {
            holdAt = sinceId;
        }
        holdUntilSequence = Long.MAX_VALUE;
    }

    /**
     * The stream was cut: a gap begins after every line queued so far. Its start is the newest id of
     * those lines, known once they are all done ({@link #gapResolved}); {@code streamOpened} is where
     * to search from if none of them had a post. A gap already open keeps its (earlier) start and needs
     * a fill again.
     */
    public synchronized void gapAfterQueued(Instant streamOpened) {
        holdUntilSequence = Long.MAX_VALUE;
        if (holdAt != null || gapBoundary >= 0) {
            return;
        }
        gapBoundary = nextSequence - 1;
        gapFrom = streamOpened;
        settle(queued.isEmpty() ? Long.MAX_VALUE : queued.first());
    }

    /** Whether a gap is open and its start known: the fill may search from {@link #heldAt}. */
    public synchronized boolean gapResolved() {
        return holdAt != null;
    }

    /** Whether a gap is open (known or not yet). */
    public synchronized boolean gapOpen() {
        return holdAt != null || gapBoundary >= 0;
    }

    /** Where to search from when the gap's start id is 0 (nothing was done before it): when the stream opened. */
    public synchronized Instant gapFrom() {
        return gapFrom;
    }

    /** Every post of the gap's fill was queued, the last at {@code lastSequence}: released once all are done. */
    public synchronized void filled(long lastSequence) {
        if (holdAt == null) {
            return;
        }
        holdUntilSequence = lastSequence;
        settle(queued.isEmpty() ? Long.MAX_VALUE : queued.first());
    }

    /** The start of the gap being filled, or 0 when none is (or none is known). */
    public synchronized long heldAt() {
        return holdAt == null ? 0 : holdAt;
    }

    private void resolveGap() {
        holdAt = watermarkId;
        gapBoundary = -1;
    }

    /** With {@code lowest} the oldest line not done: a gap's start becomes known, a filled gap is released. */
    private void settle(long lowest) {
        if (gapBoundary >= 0 && lowest > gapBoundary) {
            resolveGap();
        }
        if (holdAt != null && lowest > holdUntilSequence) {
            LOG.info("Gap {} filled: the cursor moves on", holdAt == 0 ? "since " + gapFrom : "after post " + holdAt);
            holdAt = null;
            gapFrom = null;
            holdUntilSequence = Long.MAX_VALUE;
        }
    }

    /** The queue position of the line queued last (0: none yet). */
    public synchronized long lastQueued() {
        return nextSequence - 1;
    }

    /** Lines queued and not done yet. */
    public synchronized int outstanding() {
        return queued.size();
    }

    /** Saves the cursor when it moved; a failure is logged and tried again at the next save. */
    public void save() {
        long id;
        synchronized (this) {
            id = durableId();
            if (id == 0 || id == savedId) {
                return;
            }
            lastSave = clock.instant();
        }
        ObjectNode value = JSON.createObjectNode();
        value.put("source", KEY);
        value.put("lastId", Long.toString(id));
        value.put("savedAt", clock.instant().toString());
        try {
            cursors.write(KEY, value.toString());
            synchronized (this) {
                savedId = Math.max(savedId, id);
            }
            LOG.debug("Cursor of the X stream saved: post {}", id);
        } catch (RuntimeException e) {
            LOG.warn("Could not save the cursor of the X stream (post {}): {}; tried again at the next save, a restart"
                    + " before that fills the gap from post {}", id, e.getMessage(), savedId);
        }
    }
}
