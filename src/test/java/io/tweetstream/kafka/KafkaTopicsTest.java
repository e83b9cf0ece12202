package io.tweetstream.kafka;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaTopicsTest {

    @Test
    void topicsAreNamePartitionsAndOptionallyCompact() {
        String topics = "rk_hadoop:3, rk_hadoop.seen-ids:1,rk_hadoop.cursors:1:compact";

        assertThat(KafkaTopics.parse(topics)).containsExactly(java.util.Map.entry("rk_hadoop", 3),
                java.util.Map.entry("rk_hadoop.seen-ids", 1), java.util.Map.entry("rk_hadoop.cursors", 1));
        assertThat(KafkaTopics.compacted(topics)).containsExactly("rk_hadoop.cursors");
    }

    @Test
    void anyOtherFormIsRefusedNamingTheEntry() {
        assertThatThrownBy(() -> KafkaTopics.parse("rk_hadoop:3:deleted"))
                .hasMessage("Topic 'rk_hadoop:3:deleted' is not of the form name:partitions or name:partitions:compact");
        assertThatThrownBy(() -> KafkaTopics.parse("rk_hadoop"))
                .hasMessageContaining("'rk_hadoop' is not of the form");
    }
}
