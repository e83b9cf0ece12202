package io.tweetstream.kafka;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Replaces the Kafka producer of tweets-to-kafka with a mock endpoint that receives each record of
 * a batch as its own exchange, the way camel-kafka sends them: a record the mock took gets its record
 * metadata noted on its message; one the mock failed (its {@code whenExchangeReceived}) gets metadata
 * without an offset, as camel-kafka and Kafka's producer report a failed record, and its failure
 * becomes the send's once every record was tried.
 */
public final class KafkaRecordsMock {

    private final List<Message> taken = new CopyOnWriteArrayList<>();
    private final AtomicInteger sends = new AtomicInteger();

    private KafkaRecordsMock() {
    }

    public static KafkaRecordsMock recordsTo(CamelContext context, String mockUri) throws Exception {
        KafkaRecordsMock kafka = new KafkaRecordsMock();
        ProducerTemplate template = context.createProducerTemplate();
        AdviceWith.adviceWith(context, "tweets-to-kafka", route -> route.weaveByToUri("kafka:*").replace()
                .process(send -> {
                    List<?> records = send.getMessage().getBody(List.class);
                    if (!records.isEmpty()) {
                        kafka.sends.incrementAndGet();
                    }
                    for (Object item : records) {
                        Message record = (Message) item;
                        Exchange sent = template.send(mockUri, e -> {
                            e.getMessage().setBody(record.getBody());
                            e.getMessage().setHeaders(record.getHeaders());
                        });
                        boolean failed = sent.getException() != null;
                        record.setHeader(KafkaConstants.KAFKA_RECORD_META, List.of(new RecordMetadata(
                                new TopicPartition("rk_hadoop", 0), failed ? -1 : kafka.taken.size(), 0, -1, -1, -1)));
                        if (failed) {
                            send.setException(sent.getException());
                        } else {
                            kafka.taken.add(record);
                        }
                    }
                }));
        return kafka;
    }

    /** The records Kafka took, in order. */
    public List<Message> taken() {
        return taken;
    }

    /** Their keys (tweet ids). */
    public List<String> takenKeys() {
        return taken.stream().map(m -> m.getHeader(KafkaConstants.KEY, String.class)).toList();
    }

    /** Sends of at least one record. */
    public int sends() {
        return sends.get();
    }
}
