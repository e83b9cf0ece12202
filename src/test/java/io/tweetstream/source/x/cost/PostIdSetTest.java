package io.tweetstream.source.x.cost;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PostIdSetTest {

    @Test
    void keepsEveryIdOnceThroughGrowingLikeAHashSet() {
        PostIdSet set = new PostIdSet();
        Set<Long> expected = new HashSet<>();
        Random random = new Random(16);
        long base = 1870000000000000000L;
        for (int i = 0; i < 200_000; i++) {
            // snowflake-like ids in bursts, many repeated
            long id = base + ((long) random.nextInt(150_000) << 22) + random.nextInt(4);
            assertThat(set.add(id)).isEqualTo(expected.add(id));
        }
        assertThat(set.size()).isEqualTo(expected.size());
        for (long id : expected) {
            assertThat(set.add(id)).isFalse();
        }
    }

    @Test
    void aMillionIdsTakeEightBytesASlotAtMostThreeQuartersFull() {
        PostIdSet set = new PostIdSet();
        for (long id = 1; id <= 1_000_000; id++) {
            set.add(1870000000000000000L + (id << 22));
        }
        assertThat(set.size()).isEqualTo(1_000_000);
        // 2^21 slots: the smallest power of two a million fits into at three quarters
        assertThat(set.bytes()).isEqualTo((1L << 21) * 8);
    }
}
