package io.tweetstream.source.xstream;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tweetstream.MutableClock;
import io.tweetstream.source.MemorySourceCursors;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamCursorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long INTERVAL_MS = 1_000;
    private static final long POST_1 = 1870000000000000001L;
    private static final long POST_2 = 1870000000000000002L;
    private static final long POST_3 = 1870000000000000003L;
    private static final long POST_9 = 1870000000000000009L;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final MemorySourceCursors cursors = new MemorySourceCursors();
    private final StreamCursor cursor = new StreamCursor(cursors, INTERVAL_MS, clock);

    @Test
    void theWatermarkMovesOnlyPastLinesDoneInQueueOrder() {
        long first = cursor.queue();
        long second = cursor.queue();

        cursor.done(second, POST_2);
        assertThat(cursor.lastId()).isZero();
        assertThat(cursor.outstanding()).isEqualTo(1);

        cursor.done(first, POST_1);
        assertThat(cursor.lastId()).isEqualTo(POST_2);
        assertThat(cursor.outstanding()).isZero();
    }

    @Test
    void theWatermarkIsTheNewestIdOfTheLinesBelowItWhateverOrderTheirPostsCameIn() {
        long first = cursor.queue();
        long second = cursor.queue();
        long third = cursor.queue();

        cursor.done(third, POST_1);
        cursor.done(second, POST_1 - 5);
        assertThat(cursor.lastId()).isZero();

        cursor.done(first, POST_3);
        assertThat(cursor.lastId()).isEqualTo(POST_3);
    }

    @Test
    void theWatermarkStopsAtTheOldestLineNotDoneYet() {
        long first = cursor.queue();
        long second = cursor.queue();
        long third = cursor.queue();

        cursor.done(first, POST_1);
        cursor.done(third, POST_3);

        assertThat(cursor.lastId()).isEqualTo(POST_1);

        cursor.done(second, POST_2);
        assertThat(cursor.lastId()).isEqualTo(POST_3);
    }

    @Test
    void aLineWithoutAPostStillLetsTheWatermarkMove() {
        long keepAliveOrError = cursor.queue();
        long post = cursor.queue();

        cursor.done(post, POST_2);
        assertThat(cursor.lastId()).isZero();

        cursor.done(keepAliveOrError, 0);
        assertThat(cursor.lastId()).isEqualTo(POST_2);
    }

    @Test
    void aLineWithoutAPostNeverMovesTheWatermarkBack() {
        cursor.done(cursor.queue(), POST_2);
        cursor.done(cursor.queue(), 0);

        assertThat(cursor.lastId()).isEqualTo(POST_2);
    }

    @Test
    void theSavedCursorHoldsTheNewestIdAsAStringAndWhenItWasSaved() throws Exception {
        cursor.done(cursor.queue(), POST_1);
        clock.advance(Duration.ofSeconds(5));

        cursor.done(cursor.queue(), POST_2);
        cursor.save();

        assertThat(cursors.saved).containsOnlyKeys("x-v2-stream");
        JsonNode saved = JSON.readTree(cursors.saved.get("x-v2-stream"));
        assertThat(saved.get("lastId").isTextual()).as("lastId is a JSON string: %s", saved).isTrue();
        assertThat(saved.get("lastId").asText()).isEqualTo(Long.toString(POST_2));
        assertThat(saved.get("savedAt").asText()).isEqualTo(clock.instant().toString());
    }

    @Test
    void nothingIsSavedBeforeAnyPostIsDone() {
        cursor.queue();
        cursor.done(cursor.queue(), POST_1);
        cursor.save();

        assertThat(cursors.saved).isEmpty();
        assertThat(cursors.writes).isZero();
    }

    @Test
    void aCursorThatDidNotMoveIsNotSavedAgain() {
        cursor.done(cursor.queue(), POST_1);
        cursor.save();
        int writes = cursors.writes;

        clock.advance(Duration.ofMinutes(1));
        cursor.save();
        cursor.saveIfDue();

        assertThat(cursors.writes).isEqualTo(writes);
    }

    @Test
    void saveIfDueWritesNoMoreOftenThanTheInterval() {
        cursor.done(cursor.queue(), POST_1);
        assertThat(savedLastId()).isEqualTo(Long.toString(POST_1));
        assertThat(cursors.writes).isEqualTo(1);

        cursor.done(cursor.queue(), POST_2);
        clock.advance(Duration.ofMillis(INTERVAL_MS - 1));
        cursor.saveIfDue();
        assertThat(cursors.writes).isEqualTo(1);
        assertThat(savedLastId()).isEqualTo(Long.toString(POST_1));

        clock.advance(Duration.ofMillis(2));
        cursor.saveIfDue();
        assertThat(cursors.writes).isEqualTo(2);
        assertThat(savedLastId()).isEqualTo(Long.toString(POST_2));
    }

    @Test
    void aDoneLineSavesTheCursorOnceTheIntervalIsOver() {
        cursor.done(cursor.queue(), POST_1);
        clock.advance(Duration.ofMillis(INTERVAL_MS + 1));

        cursor.done(cursor.queue(), POST_2);

        assertThat(savedLastId()).isEqualTo(Long.toString(POST_2));
    }

    @Test
    void aHoldKeepsTheSavedCursorAtTheGapStartWhileLaterLinesAreDone() {
        cursor.done(cursor.queue(), POST_1);
        assertThat(savedLastId()).isEqualTo(Long.toString(POST_1));

        cursor.hold(POST_1);
        long streamed = cursor.queue();
        long fill = cursor.queue();
        cursor.done(streamed, POST_9);
        cursor.done(fill, POST_2);
        clock.advance(Duration.ofSeconds(5));
        cursor.saveIfDue();
        cursor.save();

        assertThat(cursor.lastId()).isEqualTo(POST_9);
        assertThat(cursor.heldAt()).isEqualTo(POST_1);
        assertThat(savedLastId()).isEqualTo(Long.toString(POST_1));
    }

    @Test
    void aHoldIsReleasedOnceTheFillIsQueuedAndEveryLineUpToItsLastIsDone() {
        cursor.done(cursor.queue(), POST_1);
        cursor.hold(POST_1);
        long streamed = cursor.queue();
        long fill1 = cursor.queue();
        long fill2 = cursor.queue();
        cursor.filled(fill2);
        long streamedAfter = cursor.queue();

        cursor.done(streamed, POST_9);
        cursor.done(fill2, POST_3);
        clock.advance(Duration.ofSeconds(5));
        cursor.save();
        assertThat(cursor.heldAt()).as("fill line %d is not done yet", fill1).isEqualTo(POST_1);
        assertThat(savedLastId()).isEqualTo(Long.toString(POST_1));

        cursor.done(fill1, POST_2);
        assertThat(cursor.heldAt()).isZero();
        assertThat(cursor.outstanding()).as("line %d queued after the fill may stay outstanding", streamedAfter)
                .isEqualTo(1);
        cursor.save();
        assertThat(savedLastId()).isEqualTo(Long.toString(POST_9));
    }

    @Test
    void aHoldIsNotReleasedWhileTheFillIsNotQueuedCompletely() {
        cursor.done(cursor.queue(), POST_1);
        cursor.hold(POST_1);
        cursor.done(cursor.queue(), POST_9);
        cursor.done(cursor.queue(), POST_2);
        clock.advance(Duration.ofSeconds(5));
        cursor.save();

        assertThat(cursor.outstanding()).isZero();
        assertThat(cursor.heldAt()).isEqualTo(POST_1);
        assertThat(savedLastId()).isEqualTo(Long.toString(POST_1));
    }

    @Test
    void filledAfterEveryFillLineIsDoneReleasesTheHoldAtOnce() {
        cursor.done(cursor.queue(), POST_1);
        cursor.hold(POST_1);
        long streamed = cursor.queue();
        long fill = cursor.queue();
        cursor.done(streamed, POST_9);
        cursor.done(fill, POST_2);

        cursor.filled(fill);
        clock.advance(Duration.ofSeconds(5));
        cursor.save();

        assertThat(cursor.heldAt()).isZero();
        assertThat(savedLastId()).isEqualTo(Long.toString(POST_9));
    }

    @Test
    void aSecondHoldKeepsTheOlderGapStart() {
        cursor.done(cursor.queue(), POST_1);
        cursor.hold(POST_1);
        cursor.done(cursor.queue(), POST_9);

        cursor.hold(POST_9);

        assertThat(cursor.heldAt()).isEqualTo(POST_1);
    }

    @Test
    void aNewInstanceLoadsWhatThePreviousOneSaved() {
        cursor.done(cursor.queue(), POST_2);
        Instant savedAt = clock.instant();
        cursor.save();
        clock.advance(Duration.ofMinutes(10));

        StreamCursor restarted = new StreamCursor(cursors, INTERVAL_MS, clock);
        Optional<StreamCursor.Saved> loaded = restarted.load();

        assertThat(loaded).contains(new StreamCursor.Saved(POST_2, savedAt));
        assertThat(restarted.lastId()).isEqualTo(POST_2);
    }

    @Test
    void aLoadedCursorIsNotWrittenAgainUntilItMoves() {
        cursor.done(cursor.queue(), POST_2);
        cursor.save();
        int writes = cursors.writes;
        StreamCursor restarted = new StreamCursor(cursors, INTERVAL_MS, clock);
        restarted.load();
        clock.advance(Duration.ofMinutes(1));

        restarted.save();
        assertThat(cursors.writes).isEqualTo(writes);

        restarted.done(restarted.queue(), POST_3);
        restarted.save();
        assertThat(savedLastId()).isEqualTo(Long.toString(POST_3));
    }

    @Test
    void nothingSavedLoadsNothing() {
        assertThat(cursor.load()).isEmpty();
        assertThat(cursor.lastId()).isZero();
    }

    @Test
    void loadFailsWhileTheCursorsCannotBeRead() {
        cursor.done(cursor.queue(), POST_2);
        cursor.save();
        cursors.unreadable = true;

        StreamCursor restarted = new StreamCursor(cursors, INTERVAL_MS, clock);

        assertThatThrownBy(restarted::load).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Kafka does not answer");
        assertThat(restarted.lastId()).isZero();
    }

    @Test
    void aFailedWriteIsTriedAgainAtTheNextSave() {
        cursors.unwritable = true;
        cursor.done(cursor.queue(), POST_1);
        cursor.save();
        assertThat(cursors.saved).isEmpty();

        cursors.unwritable = false;
        clock.advance(Duration.ofMillis(INTERVAL_MS + 1));
        cursor.saveIfDue();

        assertThat(savedLastId()).isEqualTo(Long.toString(POST_1));
    }

    @Test
    void aFailedWriteIsTriedAgainWhenTheSourceStops() {
        cursors.unwritable = true;
        cursor.done(cursor.queue(), POST_1);
        assertThat(cursors.saved).isEmpty();

        cursors.unwritable = false;
        cursor.save();

        assertThat(savedLastId()).isEqualTo(Long.toString(POST_1));
        assertThat(cursors.writes).isEqualTo(1);
    }

    @Test
    void doneForAnUnknownSequenceChangesNothing() {
        long queued = cursor.queue();

        cursor.done(queued + 41, POST_9);

        assertThat(cursor.lastId()).isZero();
        assertThat(cursor.outstanding()).isEqualTo(1);
        assertThat(cursors.saved).isEmpty();

        cursor.done(queued, POST_1);
        assertThat(cursor.lastId()).isEqualTo(POST_1);
    }

    @Test
    void aLineDoneTwiceCountsOnce() {
        long first = cursor.queue();
        long second = cursor.queue();
        cursor.done(first, POST_1);

        cursor.done(first, POST_9);

        assertThat(cursor.lastId()).isEqualTo(POST_1);
        assertThat(cursor.outstanding()).isEqualTo(1);
        cursor.done(second, POST_2);
        assertThat(cursor.lastId()).isEqualTo(POST_2);
    }

    @Test
    void queuePositionsCountUpFromOne() {
        assertThat(cursor.lastQueued()).isZero();
        assertThat(cursor.queue()).isEqualTo(1);
        assertThat(cursor.queue()).isEqualTo(2);
        assertThat(cursor.lastQueued()).isEqualTo(2);
    }

    private String savedLastId() {
        String value = cursors.saved.get(StreamCursor.KEY);
        assertThat(value).as("a saved cursor").isNotNull();
        try {
            return JSON.readTree(value).get("lastId").asText();
        } catch (Exception e) {
            throw new AssertionError("the saved cursor is not JSON: " + value, e);
        }
    }

    @Test
    void aCutStreamsGapStartsAfterTheLinesQueuedBeforeItKnownOnceTheyAreDone() {
        long before = cursor.queue();
        cursor.gapAfterQueued(Instant.parse("2026-11-25T09:59:00Z"));
        long after = cursor.queue();

        assertThat(cursor.gapOpen()).isTrue();
        assertThat(cursor.gapResolved()).as("a line before the gap is still in flight").isFalse();
        cursor.done(after, POST_9);
        assertThat(cursor.gapResolved()).isFalse();

        cursor.done(before, POST_2);
        assertThat(cursor.gapResolved()).isTrue();
        assertThat(cursor.heldAt()).as("the newest id before the gap, not the later line's").isEqualTo(POST_2);
        assertThat(cursor.lastId()).isEqualTo(POST_9);
    }

    @Test
    void theSavedCursorWaitsAtAGapsStartUntilItsFillIsDone() throws Exception {
        long before = cursor.queue();
        cursor.done(before, POST_1);
        cursor.gapAfterQueued(clock.instant());
        long streamed = cursor.queue();
        cursor.done(streamed, POST_9);
        clock.advance(Duration.ofSeconds(2));
        cursor.save();
        assertThat(JSON.readTree(cursors.saved.get("x-v2-stream")).get("lastId").asText()).isEqualTo(Long.toString(POST_1));

        long found = cursor.queue();
        cursor.filled(found);
        assertThat(cursor.gapOpen()).as("the fill's post is not done yet").isTrue();
        cursor.done(found, POST_2);
        assertThat(cursor.gapOpen()).isFalse();
        clock.advance(Duration.ofSeconds(2));
        cursor.save();
        assertThat(JSON.readTree(cursors.saved.get("x-v2-stream")).get("lastId").asText()).isEqualTo(Long.toString(POST_9));
    }

    @Test
    void aGapBeforeAnyPostIsSearchedFromWhenTheStreamOpened() {
        Instant opened = Instant.parse("2026-11-25T09:58:00Z");
        cursor.gapAfterQueued(opened);

        assertThat(cursor.gapResolved()).isTrue();
        assertThat(cursor.heldAt()).isZero();
        assertThat(cursor.gapFrom()).isEqualTo(opened);
    }

    @Test
    void aSecondCutWhileAGapIsOpenKeepsTheEarlierStart() {
        long before = cursor.queue();
        cursor.done(before, POST_1);
        cursor.gapAfterQueued(clock.instant());
        long later = cursor.queue();
        cursor.done(later, POST_3);
        cursor.gapAfterQueued(clock.instant());

        assertThat(cursor.heldAt()).isEqualTo(POST_1);
    }
}
