package io.tweetstream.source.x.cost;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;

import io.tweetstream.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DailyPostReadsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T23:59:58Z"));
    private final DailyPostReads reads = new DailyPostReads(clock);

    @Test
    void aPostReadTwiceTheSameUtcDayCountsOnce() {
        assertThat(reads.add(1861400000000000010L)).isTrue();
        assertThat(reads.add(1861400000000000010L)).isFalse();
        assertThat(reads.add(1861400000000000009L)).isTrue();

        assertThat(reads.distinct()).isEqualTo(2);
    }

    @Test
    void utcMidnightStartsTheCountAgainAndThePostsOfYesterdayCountAgain() {
        reads.add(1861400000000000010L);
        reads.add(1861400000000000009L);
        clock.advance(Duration.ofSeconds(1));
        assertThat(reads.distinct()).as("23:59:59 is still the same day").isEqualTo(2);

        clock.advance(Duration.ofSeconds(1));
        assertThat(reads.day()).isEqualTo(LocalDate.parse("2026-12-02"));
        assertThat(reads.distinct()).isZero();
        assertThat(reads.add(1861400000000000010L)).as("billed again on the new day").isTrue();
        assertThat(reads.distinct()).isEqualTo(1);
    }

    @Test
    void aCountSavedTodayIsCarriedOverAndOneOfYesterdayIsNot() {
        reads.restore(LocalDate.parse("2026-11-30"), 500);
        assertThat(reads.distinct()).isZero();

        reads.restore(LocalDate.parse("2026-12-01"), 500);
        reads.add(1861400000000000010L);
        assertThat(reads.distinct()).as("the ids behind the carried count are unknown: at most too high").isEqualTo(501);

        clock.advance(Duration.ofSeconds(2));
        assertThat(reads.distinct()).as("the carried count is yesterday's now").isZero();
    }

    @Test
    void idsThatAreNoPostIdsAreNotKept() {
        assertThat(reads.add(0)).isFalse();
        assertThat(reads.add(-5)).isFalse();
        assertThat(reads.distinct()).isZero();
    }
}
