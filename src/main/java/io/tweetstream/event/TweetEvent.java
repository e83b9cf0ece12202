package io.tweetstream.event;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The tweet event published to Kafka: one normalised shape for every source, versioned by
 * {@link #schemaVersion()} and described by {@code schema/tweet-event.schema.json}.
 *
 * <p>Ids are decimal strings (64-bit tweet ids do not survive JavaScript numbers); timestamps are
 * ISO-8601 instants in UTC. {@code retweetOf}, {@code replyTo} and {@code quoteOf} are left out
 * when the tweet is not a retweet, a reply or a quote; {@code matchingRules} (the tags of the filtered
 * stream's rules the post matched) unless the source is the filtered stream.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TweetEvent(
        int schemaVersion,
        String id,
        String createdAt,
        String text,
        String lang,
        User user,
        List<String> hashtags,
        List<String> mentions,
        List<String> urls,
        String retweetOf,
        String replyTo,
        String quoteOf,
        String source,
        String ingestedAt,
        List<String> matchingRules) {

    /** The version of this shape; bumped on any incompatible change (an added optional field is none). */
    public static final int SCHEMA_VERSION = 1;

    /** An event of a source without rules: no {@code matchingRules}. */
    public TweetEvent(int schemaVersion, String id, String createdAt, String text, String lang, User user,
            List<String> hashtags, List<String> mentions, List<String> urls, String retweetOf, String replyTo,
            String quoteOf, String source, String ingestedAt) {
        this(schemaVersion, id, createdAt, text, lang, user, hashtags, mentions, urls, retweetOf, replyTo, quoteOf,
                source, ingestedAt, null);
    }

    /** The author of the tweet. */
    public record User(String id, String screenName, String name, long followers) {
    }
}
