package io.tweetstream.source.x.cost;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.LongStream;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.tweetstream.MutableClock;
import io.tweetstream.Tweets;
import io.tweetstream.source.MemorySourceCursors;
import io.tweetstream.source.x.V2Tweet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The meter of the X sources' reads and the daily budget decision, across UTC midnight and restarts. */
class XPostReadsTest {

    private static final String SEARCH = "tweets/search/recent";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T23:00:00Z"));
    private final MemorySourceCursors cursors = new MemorySourceCursors();
    private XPostReads reads;

    @BeforeEach
    void setUp() {
        reads = reads("x-v2-search", "10");
    }

    private XPostReads reads(String source, String budget) {
        XPostReads postReads = new XPostReads(clock);
        postReads.setSource(source);
        postReads.setBudget(budget);
        postReads.setPriceUsd("0.005");
        postReads.setCursors(cursors);
        postReads.setSaveIntervalMs(60_000);
        return postReads;
    }

    @Test
    void everyPostOfEveryAnswerIsCountedDuplicatesIncludedAndTodaysDistinctOnesAreBilled() {
        List<V2Tweet> page = V2Tweet.of(Tweets.v2Answer("search-page-1"));
        reads.read("x-v2-search", SEARCH, page);
        reads.read("x-v2-search", SEARCH, page);

        MeterRegistry registry = reads.meters();
        assertThat(registry.get("tweetstream.x.post.reads").tag("source", "x-v2-search").counter().count()).isEqualTo(10);
        assertThat(reads.distinctToday()).isEqualTo(5);
        assertThat(registry.get("tweetstream.x.post.reads.today").gauge().value()).isEqualTo(5);
        assertThat(registry.get("tweetstream.x.post.reads.cost").gauge().value()).isEqualTo(0.025);
        assertThat(registry.get("tweetstream.x.post.reads.budget").gauge().value()).isEqualTo(10);
    }

    @Test
    void theBudgetStopsReadingOnceReachedAndTheNextUtcDayResumes() {
        assertThat(reads.mayRead()).isTrue();
        reads.read("x-v2-search", SEARCH, posts(1, 9));
        assertThat(reads.mayRead()).as("9 of 10").isTrue();
        assertThat(reads.notReadyReason()).isEmpty();

        reads.read("x-v2-search", SEARCH, posts(9, 12));
        assertThat(reads.distinctToday()).isEqualTo(12);
        assertThat(reads.mayRead()).isFalse();
        assertThat(reads.notReadyReason()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("X_DAILY_POST_READS_BUDGET reached").contains("12 distinct posts read today (2026-12-01 UTC)")
                .contains("budget 10").contains("2026-12-02T00:00:00Z"));
        assertThat(reads.details()).containsEntry("postReadsPausedUntil", "2026-12-02T00:00:00Z");
        assertThat(reads.meters().get("tweetstream.x.post.reads.paused").gauge().value()).isEqualTo(1);
        assertThat(cursors.saved.get(XPostReads.KEY)).as("saved at once when reached")
                .contains("\"day\":\"2026-12-01\"").contains("\"distinct\":12");

        clock.advance(Duration.ofMinutes(59).plusSeconds(59));
        assertThat(reads.mayRead()).as("23:59:59").isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(reads.mayRead()).as("the next UTC day").isTrue();
        assertThat(reads.notReadyReason()).isEmpty();
        assertThat(reads.distinctToday()).isZero();
        assertThat(reads.meters().get("tweetstream.x.post.reads.paused").gauge().value()).isZero();
    }

    @Test
    void repeatedReadsOfTheSamePostsDoNotSpendTheBudget() {
        for (int i = 0; i < 5; i++) {
            reads.read("x-v2-search", SEARCH, posts(1, 9));
        }
        assertThat(reads.mayRead()).as("X bills a post once a day").isTrue();
    }

    @Test
    void noBudgetNeverStopsReading() {
        XPostReads unlimited = reads("x-v2-stream", "0");
        unlimited.read("x-v2-stream", "tweets/search/stream", posts(1, 10_000));
        assertThat(unlimited.mayRead()).isTrue();
        assertThat(unlimited.notReadyReason()).isEmpty();
    }

    @Test
    void aRestartTheSameDayGoesOnFromTheSavedCountAndStaysPausedWhenItWasReached() {
        reads.read("x-v2-search", SEARCH, posts(1, 10));
        assertThat(reads.mayRead()).isFalse();

        XPostReads restarted = reads("x-v2-search", "10");
        assertThat(restarted.mayRead()).as("not reset by a restart").isFalse();
        assertThat(restarted.distinctToday()).isEqualTo(10);

        XPostReads raised = reads("x-v2-search", "15");
        assertThat(raised.mayRead()).isTrue();
        raised.read("x-v2-search", SEARCH, posts(100, 104));
        assertThat(raised.mayRead()).as("10 before the restart and 5 after").isFalse();

        clock.advance(Duration.ofHours(1));
        XPostReads nextDay = reads("x-v2-search", "10");
        assertThat(nextDay.mayRead()).as("yesterday's count is not today's").isTrue();
        assertThat(nextDay.distinctToday()).isZero();
    }

    @Test
    void withABudgetNothingIsReadUntilTheSavedCountCanBeRead() {
        cursors.unreadable = true;
        assertThat(reads.mayRead()).isFalse();
        cursors.unreadable = false;
        assertThat(reads.mayRead()).isTrue();
    }

    @Test
    void withoutABudgetAnUnreadableCountDoesNotStopReading() {
        cursors.unreadable = true;
        assertThat(reads("x-v2-search", "0").mayRead()).isTrue();
    }

    @Test
    void theCountIsSavedWhenDueAndAFailedSaveChangesNoDecision() {
        reads.setSaveIntervalMs(0);
        reads.read("x-v2-search", SEARCH, posts(1, 3));
        assertThat(cursors.saved.get(XPostReads.KEY)).contains("\"distinct\":3");

        cursors.unwritable = true;
        reads.read("x-v2-search", SEARCH, posts(4, 10));
        assertThat(reads.mayRead()).isFalse();
    }

    @Test
    void theBudgetIsReadyOnlyForTheXSourceInUse() {
        assertThat(reads.serves("x-v2-search")).isTrue();
        assertThat(reads.serves("x-v2-stream")).isFalse();
        assertThat(reads("sample", "10").serves("sample")).isFalse();
    }

    @Test
    void theDefaultBudgetIsTenThousandReadsADayAndZeroTurnsItOff() throws Exception {
        java.util.Properties properties = new java.util.Properties();
        try (var in = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of("application.properties"))) {
            properties.load(in);
        }
        assertThat(properties.getProperty("x.daily-post-reads-budget")).isEqualTo("10000")
                .isEqualTo(Long.toString(XPostReads.DEFAULT_BUDGET));
        XPostReads byDefault = new XPostReads(clock);
        assertThat(byDefault.meters().get("tweetstream.x.post.reads.budget").gauge().value()).isEqualTo(10_000);

        XPostReads unlimited = reads("x-v2-search", "0");
        unlimited.read("x-v2-search", SEARCH, posts(1, 20_000));
        assertThat(unlimited.mayRead()).isTrue();
        assertThat(unlimited.notReadyReason()).isEmpty();
    }

    @Test
    void badSettingsNameTheVariable() {
        XPostReads postReads = new XPostReads(clock);
        assertThatThrownBy(() -> postReads.setBudget("abc"))
                .hasMessage("X_DAILY_POST_READS_BUDGET=abc is not a whole number of distinct post reads a UTC day (0: no"
                        + " budget)");
        assertThatThrownBy(() -> postReads.setBudget("-1")).hasMessageStartingWith("X_DAILY_POST_READS_BUDGET=-1: it must be"
                + " at least 0");
        assertThatThrownBy(() -> postReads.setPriceUsd("-0.005")).hasMessageStartingWith("X_POST_READ_PRICE_USD=-0.005:"
                + " it must be at least 0");
        assertThatThrownBy(() -> postReads.setPriceUsd("5 cents")).hasMessage("X_POST_READ_PRICE_USD=5 cents is not a"
                + " decimal number of US dollars a post read");
    }

    /** Posts with the ids first..last. */
    private static List<V2Tweet> posts(long first, long last) {
        return LongStream.rangeClosed(first, last).mapToObj(id -> new V2Tweet(JsonNodeFactory.instance.objectNode()
                .put("id", Long.toString(1870000000000000000L + id)), java.util.Map.of(), java.util.Map.of())).toList();
    }
}
