package io.tweetstream.source.x.cost;

import java.util.Arrays;

/**
 * A set of post ids (positive longs) as a plain {@code long[]} with open addressing: 8 bytes a slot,
 * at most three quarters full, so a million ids take 16 MiB and the monthly cap of 3 million, were it
 * read in one day, 32 MiB (README, What it costs). A {@code HashSet<Long>} would take about six times
 * as much (a boxed Long and a map node per id).
 */
final class PostIdSet {

    private static final int INITIAL_SLOTS = 1 << 10;

    private long[] slots = new long[INITIAL_SLOTS];
    private int size;

    /** Adds a post id; true when it was not in the set yet. Ids below 1 are not post ids and are not kept. */
    boolean add(long id) {
        if (id < 1) {
            return false;
        }
        if (size + 1 > slots.length / 4 * 3) {
            grow();
        }
        if (!place(slots, id)) {
            return false;
        }
        size++;
        return true;
    }

    int size() {
        return size;
    }

    /** Bytes held by the table (for README's figures). */
    long bytes() {
        return (long) slots.length * Long.BYTES;
    }

    private static boolean place(long[] table, long id) {
        int mask = table.length - 1;
        int slot = mix(id) & mask;
        while (table[slot] != 0) {
            if (table[slot] == id) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        table[slot] = id;
        return true;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        Arrays.stream(old).filter(id -> id != 0).forEach(id -> place(slots, id));
    }

    /** Spreads the bits of an id (snowflake ids share their low and high bits in bursts). */
    private static int mix(long id) {
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
