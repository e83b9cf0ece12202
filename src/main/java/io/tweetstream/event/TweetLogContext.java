package io.tweetstream.event;

import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelLogger;
import org.apache.camel.spi.LogListener;
import org.slf4j.MDC;

/**
 * The logging context of a tweet. {@link #put} sets the variables {@code tweetId} and
 * {@code author} that a route's log line reads; as a Camel {@link LogListener} it puts the route
 * and the tweet in the MDC ({@code camel.routeId}, {@code tweetId}: fields of
 * {@code LOG_FORMAT=json} lines) while a route's {@code log} step writes its line.
 *
 * <p>Camel's own MDC logging ({@code camel.main.use-mdc-logging}) sets and clears the MDC around
 * every step of every message, which cost the consumer flow a fifth of its time (bench/run); the
 * lines it is read for are those of the routes' {@code log} steps, so only those get it.
 */
public class TweetLogContext implements LogListener {

    public static final String TWEET_ID = "tweetId";
    public static final String AUTHOR = "author";
    /** The MDC key of the route id, as Camel's MDC logging names it. */
    public static final String ROUTE_ID = "camel.routeId";

    public void put(TweetEvent event, Exchange exchange) {
        exchange.setVariable(TWEET_ID, event.id());
        exchange.setVariable(AUTHOR, event.user() != null ? event.user().screenName() : null);
    }

    @Override
    public String onLog(Exchange exchange, CamelLogger camelLogger, String message) {
        String routeId = exchange.getFromRouteId();
        if (routeId != null) {
            MDC.put(ROUTE_ID, routeId);
        }
        Object tweetId = exchange.getVariable(TWEET_ID);
        if (tweetId != null) {
            MDC.put(TWEET_ID, tweetId.toString());
        }
        return message;
    }

    @Override
    public void afterLog(Exchange exchange, CamelLogger camelLogger, String message) {
        MDC.remove(ROUTE_ID);
        MDC.remove(TWEET_ID);
    }
}
