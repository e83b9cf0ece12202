package io.tweetstream.kafka;

import io.tweetstream.event.TweetEvent;
import io.tweetstream.event.TweetLogContext;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * Sets the Kafka record key of an outgoing tweet event to its tweet id, so every version of a
 * tweet lands in the same partition (and a compacted topic keeps one record per tweet), and the
 * variable {@code tweetId} that the route's later steps (dedup) read.
 *
 * <p>The header is named through {@link KafkaConstants}, whose literal names change between Camel
 * lines; routes call this bean instead of spelling the header out.
 */
public class KafkaRecordKey {

    public void tweetId(Exchange exchange) throws InvalidPayloadException {
        TweetEvent event = exchange.getMessage().getMandatoryBody(TweetEvent.class);
        exchange.getMessage().setHeader(KafkaConstants.KEY, event.id());
        exchange.setVariable(TweetLogContext.TWEET_ID, event.id());
    }
}
