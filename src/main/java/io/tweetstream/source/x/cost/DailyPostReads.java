package io.tweetstream.source.x.cost;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The distinct posts read in the current UTC day, which is what X bills: X counts a post once per UTC
 * day however often it is read. The ids of the day are kept exactly ({@link PostIdSet}); at UTC
 * midnight (by the clock given) the count starts again from zero.
 *
 * <p>A count carried over from before a restart ({@link #restore}) is added as it is: the ids behind
 * it are not known, so a post read before and after the restart counts twice. The count is then at
 * most too high, never too low, which is the safe side for a budget.
 */
final class DailyPostReads {

    private final Clock clock;
    private LocalDate day;
    private PostIdSet ids = new PostIdSet();
    private long carried;

    DailyPostReads(Clock clock) {
        this.clock = clock;
        this.day = today();
    }

    /** A post was read; true when it is the first read of that post today. */
    boolean add(long postId) {
        rollOver();
        return ids.add(postId);
    }

    /** Distinct posts read today. */
    long distinct() {
        rollOver();
        return carried + ids.size();
    }

    /** The UTC day counted now. */
    LocalDate day() {
        rollOver();
        return day;
    }

    /** The count of {@code savedDay} saved by an earlier run; ignored unless that day is today. */
    void restore(LocalDate savedDay, long count) {
        rollOver();
        if (day.equals(savedDay) && count > 0) {
            carried = count;
        }
    }

    /** Bytes held by today's ids. */
    long bytes() {
        return ids.bytes();
    }

    /** Starts a new count when the UTC day changed; true when it did. */
    boolean rollOver() {
        LocalDate now = today();
        if (now.equals(day)) {
            return false;
        }
        day = now;
        ids = new PostIdSet();
        carried = 0;
        return true;
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
