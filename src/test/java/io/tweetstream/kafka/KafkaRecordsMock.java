package io.tweetstream.kafka;

import java.util.List;

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
 * metadata noted on its message; one the mock failed gets metadata without an offset (as camel-kafka and
 * Kafka's producer report it), and its failure becomes the send's once
 * every record was tried.
 */
public final class KafkaRecordsMock {

    private KafkaRecordsMock() {
    }

    public static void recordsTo(CamelContext context, String mockUri) throws Exception {
        ProducerTemplate template = context.createProducerTemplate();
        AdviceWith.adviceWith(context, "tweets-to-kafka", route -> route.weaveByToUri("kafka:*").replace()
                .process(send -> {
                    for (Object item : send.getMessage().getBody(List.class)) {
                        Message record = (Message) item;
                        Exchange sent = template.send(mockUri, e -> {
                            e.getMessage().setBody(record.getBody());
                            e.getMessage().setHeaders(record.getHeaders());
                        });
                        if (sent.getException() != null) {
                            // as camel-kafka notes a failed record: metadata without an offset
                            record.setHeader(KafkaConstants.KAFKA_RECORD_META,
                                    List.of(new RecordMetadata(new TopicPartition("rk_hadoop", 0), -1, 0, -1, -1, -1)));
                            send.setException(sent.getException());
                        } else {
                            record.setHeader(KafkaConstants.KAFKA_RECORD_META,
                                    List.of(new RecordMetadata(new TopicPartition("rk_hadoop", 0), 0, 0, 0, 0, 0)));
                        }
                    }
                }));
    }
}
