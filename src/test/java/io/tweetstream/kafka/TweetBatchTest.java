package io.tweetstream.kafka;

import java.util.List;

import io.tweetstream.event.TweetEvent;
import io.tweetstream.metrics.TweetMeters;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The batch bookkeeping of tweets-to-kafka, on its own: in-flight ids, records, acknowledgements. */
class TweetBatchTest {

    private final DefaultCamelContext context = new DefaultCamelContext();
    private final MemoryIdempotentRepository published = new MemoryIdempotentRepository();
    private final TweetBatch batch = new TweetBatch();

    TweetBatchTest() {
        TweetMeters meters = new TweetMeters();
        meters.setCamelContext(context);
        batch.setRepository(published);
        batch.setTweetMeters(meters);
    }

    @AfterEach
    void close() throws Exception {
        batch.close();
        context.close();
    }

    @Test
    void publishedIdsThatCannotBeReadBackFailTheBatchAsAKafkaFailureSoItIsSentAgainAndTheReadIsTriedAgain() {
        TweetBatch unread = new TweetBatch();
        TweetMeters meters = new TweetMeters();
        meters.setCamelContext(context);
        unread.setTweetMeters(meters);
        int[] starts = {0};
        unread.setRepository(new MemoryIdempotentRepository() {
            @Override
            protected void doStart() throws Exception {
                if (starts[0]++ == 0) {
                    throw new IllegalStateException("Topic rk_hadoop (KAFKA_TOPIC) does not exist on 127.0.0.1:9092");
                }
                super.doStart();
            }
        });
        Exchange exchange = new DefaultExchange(context);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> unread.dropPublished(List.of(event("1")), "sample", exchange))
                .as("source-errors retries Kafka failures until they pass; any other failure would park the batch")
                .isInstanceOf(org.apache.kafka.common.KafkaException.class)
                .hasMessage("Topic rk_hadoop (KAFKA_TOPIC) does not exist on 127.0.0.1:9092");
        assertThat(unread.dropPublished(List.of(event("1")), "sample", exchange)).extracting(TweetEvent::id)
                .containsExactly("1");
        assertThat(starts[0]).isEqualTo(2);
        unread.close();
    }

    @Test
    void anIdInFlightInAnotherBatchIsDroppedUntilThatBatchIsDoneAndOneKafkaRefusedGoesAgain() throws Exception {
        Exchange first = new DefaultExchange(context);
        Exchange second = new DefaultExchange(context);

        List<TweetEvent> firstFresh = batch.dropPublished(List.of(event("1"), event("2"), event("1")), "sample", first);
        List<TweetEvent> secondFresh = batch.dropPublished(List.of(event("2"), event("3")), "sample", second);

        assertThat(firstFresh).extracting(TweetEvent::id).as("each id once").containsExactly("1", "2");
        assertThat(secondFresh).extracting(TweetEvent::id).as("2 is in flight in the first batch").containsExactly("3");

        // Kafka took 1 but not 2
        List<Message> records = batch.toRecords(firstFresh, first);
        assertThat(records).extracting(r -> r.getHeader(KafkaConstants.KEY)).containsExactly("1", "2");
        assertThat(new String(records.get(0).getBody(byte[].class), java.nio.charset.StandardCharsets.UTF_8))
                .startsWith("{\"schemaVersion\":1,\"id\":\"1\"");
        records.get(0).setHeader(KafkaConstants.KAFKA_RECORD_META,
                List.of(new RecordMetadata(new TopicPartition("rk_hadoop", 0), 0, 0, 0, 0, 0)));
        first.getMessage().setBody(records);
        batch.acknowledged("sample", first);

        assertThat(published.contains("1")).isTrue();
        assertThat(published.contains("2")).as("not acknowledged: not published").isFalse();
        Exchange again = new DefaultExchange(context);
        assertThat(batch.dropPublished(List.of(event("1"), event("2")), "sample", again))
                .extracting(TweetEvent::id).as("sent again: only what Kafka did not take").containsExactly("2");
    }

    private static TweetEvent event(String id) {
        return new TweetEvent(1, id, "2026-11-21T10:30:00Z", "text " + id, "en",
                new TweetEvent.User("99120455", "gracehopper", "Grace H.", 1207), List.of(), List.of(), List.of(),
                null, null, null, "sample", "2026-11-25T08:00:00.123Z", null);
    }
}
