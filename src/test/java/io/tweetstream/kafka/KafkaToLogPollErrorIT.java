package io.tweetstream.kafka;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.model.LogDefinition;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kafka-to-log on a real broker with a consumer whose poll fails once, in the middle of the topic:
 * no record is skipped (camel-kafka's default pollOnError seeks every partition one record on).
 */
class KafkaToLogPollErrorIT extends RouteFileTestSupport {

    private static final String TOPIC = "poll-error";
    private static EmbeddedKafkaBroker broker;

    private final AtomicInteger polls = new AtomicInteger();

    @Override
    protected String[] routeFiles() {
        return new String[] {"error-handling.camel.yaml", "dead-letter.camel.yaml", "kafka-to-log.camel.yaml"};
    }

    @Override
    protected void overrides(Properties properties) {
        if (broker == null) {
            broker = EmbeddedKafkaBroker.start("127.0.0.1", 0, Path.of("target", "poll-error-" + System.nanoTime()), 3);
        }
        properties.put("kafka.brokers", broker.bootstrapServers());
        properties.put("kafka.topic", TOPIC);
        properties.put("kafka.consumer.group", "poll-error");
        properties.put("kafka.consumer.max-poll-records", "5");
        properties.put("tweets.log.level", "OFF");
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    void aPollThatFailsSkipsNoRecord() throws Exception {
        KafkaTopics.createMissing(broker.bootstrapServers(), Map.of(TOPIC, 3));
        List<String> ids = IntStream.rangeClosed(1, 40).mapToObj(i -> Long.toString(1861300000000000000L + i)).toList();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            for (String id : ids) {
                producer.send(new ProducerRecord<>(TOPIC, id, event(id))).get();
            }
        }
        context.getComponent("kafka", KafkaComponent.class).setKafkaClientFactory(new DefaultKafkaClientFactory() {
            @Override
            public Consumer getConsumer(Properties kafkaProps) {
                return new KafkaConsumer<Object, Object>(kafkaProps) {
                    @Override
                    public ConsumerRecords<Object, Object> poll(Duration timeout) {
                        ConsumerRecords<Object, Object> records = super.poll(timeout);
                        if (!records.isEmpty() && polls.incrementAndGet() == 3) {
                            throw new KafkaException("injected poll failure");
                        }
                        return records;
                    }
                };
            }
        });
        AdviceWith.adviceWith(context, "process-tweet",
                route -> route.weaveByType(LogDefinition.class).after().to("mock:logged"));
        context.start();
        MockEndpoint logged = getMockEndpoint("mock:logged");

        await().atMost(Duration.ofSeconds(60)).until(() -> logged(logged).containsAll(ids));

        assertThat(polls.get()).as("the poll failed once, and the consumer went on").isGreaterThan(3);
        assertThat(logged(logged)).containsExactlyInAnyOrderElementsOf(ids);
    }

    private static Set<String> logged(MockEndpoint logged) {
        return logged.getReceivedExchanges().stream().map(e -> e.getVariable("tweetId", String.class))
                .collect(Collectors.toSet());
    }

    private static byte[] event(String id) {
        return ("{\"schemaVersion\":1,\"id\":\"" + id + "\",\"createdAt\":\"2026-11-21T10:30:00Z\",\"text\":\"poll " + id
                + "\",\"lang\":\"en\",\"user\":{\"id\":\"99120455\",\"screenName\":\"gracehopper\",\"name\":\"Grace H.\","
                + "\"followers\":1207},\"hashtags\":[],\"mentions\":[],\"urls\":[],\"source\":\"sample\","
                + "\"ingestedAt\":\"2026-11-25T08:00:00.123Z\"}").getBytes(StandardCharsets.UTF_8);
    }
}
