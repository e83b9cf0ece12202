package io.tweetstream.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * The offsets of a batch of consumed records (camel-kafka {@code batching}: one exchange holds a
 * poll's records), so that each record is still processed on its own and an offset is committed only
 * once every record before it <em>in its partition</em> was processed or parked.
 *
 * <p>In kafka-to-log: {@link #begin} turns the batch into one message per record (the split's parts);
 * as the split's aggregation strategy it notes every part that ended without an exception (processed,
 * or parked in the dead-letter topic); {@link #commit} then commits, per partition, the offset after the
 * last record of an unbroken run of done records, synchronously, and fails the batch with
 * {@link BatchIncomplete} when a record was not done, so that the consumer resumes every partition from
 * what was committed. (camel-kafka's own manual-commit header of a batch names only its last record's
 * partition, and its asynchronous commit factory never commits in batching mode: hence this bean, with
 * each record's own sync manual commit.)
 */
public class KafkaBatchOffsets implements AggregationStrategy {

    /** The exchange property of a batch (and its parts) holding its progress. */
    public static final String PROGRESS = "tweetstream.kafkaBatch";

    /** The records of the batch as messages, in poll order, each a part of the split that follows. */
    public List<Message> begin(Exchange batch) {
        List<?> records = batch.getMessage().getBody(List.class);
        List<Message> messages = new ArrayList<>(records == null ? 0 : records.size());
        if (records != null) {
            for (Object record : records) {
                messages.add(record instanceof Exchange exchange ? exchange.getMessage() : (Message) record);
            }
        }
        batch.setProperty(PROGRESS, new Progress(messages));
        return messages;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange, Exchange inputExchange) {
        note(newExchange);
        // the batch stays the result: a part's failure is this bean's to report (commit), not the
        // split's to copy onto the batch, where the route's error handler would park the whole batch
        return inputExchange;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        note(newExchange);
        return oldExchange == null ? newExchange : oldExchange;
    }

    private static void note(Exchange part) {
        Progress progress = part.getProperty(PROGRESS, Progress.class);
        Integer index = part.getProperty(Exchange.SPLIT_INDEX, Integer.class);
        if (progress != null && index != null && part.getException() == null) {
            progress.done[index] = true;
        }
    }

    /**
     * Commits, per partition of the batch, the records done without a gap before them; fails when a
     * record was not done (it and the records after it in its partition are consumed again).
     */
    public void commit(Exchange batch) {
        Progress progress = batch.getProperty(PROGRESS, Progress.class);
        if (progress == null) {
            return;
        }
        Map<String, Message> lastDone = new LinkedHashMap<>();
        Map<String, Message> firstNotDone = new LinkedHashMap<>();
        for (int i = 0; i < progress.records.size(); i++) {
            Message record = progress.records.get(i);
            String partition = record.getHeader(KafkaConstants.TOPIC) + "-" + record.getHeader(KafkaConstants.PARTITION);
            if (firstNotDone.containsKey(partition)) {
                continue;
            }
            if (progress.done[i]) {
                lastDone.put(partition, record);
            } else {
                firstNotDone.put(partition, record);
            }
        }
        for (Map.Entry<String, Message> done : lastDone.entrySet()) {
            KafkaManualCommit commit = done.getValue().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
            if (commit != null) {
                try {
                    commit.commit();
                } catch (RuntimeException e) {
                    // a rebalance, a time-out, a wake-up at shutdown: not the batch's records' fault, so
                    // neither retried nor parked; the consumer reconnects and consumes what is not committed
                    throw new BatchIncomplete("Could not commit " + done.getKey() + " up to offset "
                            + done.getValue().getHeader(KafkaConstants.OFFSET) + " (" + e + "): the consumer resumes"
                            + " from the last committed offsets", e);
                }
            }
        }
        if (!firstNotDone.isEmpty()) {
            List<String> resumes = new ArrayList<>();
            firstNotDone.forEach((partition, record) -> resumes.add(partition + "@" + record.getHeader(KafkaConstants.OFFSET)));
            throw new BatchIncomplete("Not every record of the batch was processed or parked: the consumer resumes "
                    + String.join(", ", resumes) + " (committed up to the record before each)");
        }
    }

    /** A batch with a record neither processed nor parked: the consumer reconnects and consumes it again. */
    public static class BatchIncomplete extends IllegalStateException {
        public BatchIncomplete(String message) {
            super(message);
        }

        public BatchIncomplete(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final class Progress {
        private final List<Message> records;
        private final boolean[] done;

        private Progress(List<Message> records) {
            this.records = records;
            this.done = new boolean[records.size()];
        }
    }
}
