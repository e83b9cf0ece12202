package io.tweetstream.event;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import org.apache.camel.Exchange;

/**
 * A tweet of a batch that could not be turned into a tweet event, as the source gave it, with why.
 * The batch goes on without it; tweets-to-kafka parks each one in the dead-letter topic on its own,
 * once: a batch sent again after a failed send does not park its rejected tweets a second time.
 */
public record RejectedTweet(Object tweet, RuntimeException cause) {

    /** The variable of an exchange listing the tweets of its batch to park. */
    public static final String VARIABLE = "rejectedTweets";
    /** The variable of a split part holding the rejected tweet it is parking. */
    public static final String PARKING_VARIABLE = "rejectedTweet";
    /** The exchange property holding the tweets of its batch already parked (the same objects). */
    static final String PARKED = "tweetstream.parkedTweets";

    /** Starts the rejected tweets of a batch afresh (the batch may be one sent again). */
    static void begin(Exchange exchange) {
        exchange.removeVariable(VARIABLE);
    }

    /** Notes a rejected tweet of the exchange's batch, to be parked unless it was parked before. */
    static void add(Exchange exchange, Object tweet, RuntimeException cause) {
        Set<Object> parked = parked(exchange);
        if (parked.contains(tweet)) {
            return;
        }
        List<RejectedTweet> rejected = rejected(exchange);
        if (rejected == null) {
            rejected = new ArrayList<>();
            exchange.setVariable(VARIABLE, rejected);
        }
        rejected.add(new RejectedTweet(tweet, cause));
    }

    /** Notes that this tweet was parked (from its split part: the batch's set is shared). */
    public void markParked(Exchange part) {
        parked(part).add(tweet);
    }

    /** The tweets of the exchange's batch to park, or null when there are none. */
    @SuppressWarnings("unchecked")
    public static List<RejectedTweet> rejected(Exchange exchange) {
        return (List<RejectedTweet>) exchange.getVariable(VARIABLE);
    }

    @SuppressWarnings("unchecked")
    private static Set<Object> parked(Exchange exchange) {
        Set<Object> parked = exchange.getProperty(PARKED, Set.class);
        if (parked == null) {
            parked = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
            exchange.setProperty(PARKED, parked);
        }
        return parked;
    }
}
