package io.tweetstream.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * Marks a consumed record as done, so its offset may be committed: called by a consumer route
 * once the record was processed or safely parked in the dead-letter topic, never before.
 *
 * <p>With the asynchronous manual-commit factory this only records the offset; camel-kafka commits
 * the recorded offsets after each polled batch, and never the offsets of records that were fetched
 * but not marked (as Kafka's auto-commit would on a stop in the middle of a batch).
 */
public class KafkaOffsets {

    public void markProcessed(Exchange exchange) {
        KafkaManualCommit commit = exchange.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit != null) {
            commit.commit();
        }
    }
}
