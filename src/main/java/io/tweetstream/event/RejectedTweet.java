package io.tweetstream.event;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Exchange;

/**
 * A tweet of a batch that could not be turned into a tweet event, as the source gave it, with why.
 * The batch goes on without it; tweets-to-kafka parks each one in the dead-letter topic on its own,
 * once the rest of the batch is on Kafka (a batch Kafka did not take is sent again before any of its
 * rejected tweets is parked, so none is parked twice).
 */
public record RejectedTweet(Object tweet, RuntimeException cause) {

    /** The variable of an exchange listing the tweets of its batch to park. */
    public static final String VARIABLE = "rejectedTweets";

    /** Starts the rejected tweets of a batch afresh (the batch may be one sent again). */
    static void begin(Exchange exchange) {
        exchange.removeVariable(VARIABLE);
    }

    /** Notes a rejected tweet of the exchange's batch. */
    @SuppressWarnings("unchecked")
    static void add(Exchange exchange, Object tweet, RuntimeException cause) {
        List<RejectedTweet> rejected = (List<RejectedTweet>) exchange.getVariable(VARIABLE);
        if (rejected == null) {
            rejected = new ArrayList<>();
            exchange.setVariable(VARIABLE, rejected);
        }
        rejected.add(new RejectedTweet(tweet, cause));
    }
}
