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
    /** The start of the gap being filled (null: none), and the queue position its fill must pass. */
    private Long holdAt;
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
                watermarkId = Math.max(watermarkId, doneAhead.pollFirstEntry().getValue());
            }
            if (holdAt != null && lowest > holdUntilSequence) {
                LOG.info("Gap after post {} filled: the cursor moves on", holdAt);
                holdAt = null;
                holdUntilSequence = Long.MAX_VALUE;
            }
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

    /** A gap begins after {@code sinceId}: the saved cursor waits there until it is filled. */
    public synchronized void hold(long sinceId) {
        if (holdAt == null || sinceId < holdAt) {
            holdAt = sinceId;
        }
        holdUntilSequence = Long.MAX_VALUE;
    }

    /** Every post of the gap's fill was queued, the last at {@code lastSequence}: released once all are done. */
    public synchronized void filled(long lastSequence) {
        if (holdAt == null) {
            return;
        }
        holdUntilSequence = lastSequence;
        long lowest = queued.isEmpty() ? Long.MAX_VALUE : queued.first();
        if (lowest > holdUntilSequence) {
            LOG.info("Gap after post {} filled: the cursor moves on", holdAt);
            holdAt = null;
            holdUntilSequence = Long.MAX_VALUE;
        }
    }

    /** The start of the gap being filled, or 0 when none is. */
    public synchronized long heldAt() {
        return holdAt == null ? 0 : holdAt;
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
