package io.tweetstream.event;

import org.slf4j.MDC;

/**
 * Puts the id of the tweet being processed in the logging context ({@code tweetId}), so JSON log
 * lines ({@code LOG_FORMAT=json}) carry it as a field; cleared once the tweet is done.
 */
public class TweetLogContext {

    public static final String TWEET_ID = "tweetId";

    public void put(TweetEvent event) {
        MDC.put(TWEET_ID, event.id());
    }

    public void clear() {
        MDC.remove(TWEET_ID);
    }
}
