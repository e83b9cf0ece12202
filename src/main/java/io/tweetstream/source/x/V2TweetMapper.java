package io.tweetstream.source.x;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import io.tweetstream.event.TweetEvent;
import io.tweetstream.event.TweetNormalizer;
import org.apache.camel.ExchangeProperty;

/**
 * Turns a tweet of the X API v2 ({@link V2Tweet}: the tweet with its answer's expansions) into a
 * {@link TweetEvent}, by the rules {@link TweetNormalizer} applies to API v1.1 tweets:
 * <ul>
 * <li>text never cut: {@code note_tweet.text} for a long post (the API cuts {@code text} at 280
 * characters), HTML entities ({@code &amp;amp; &amp;lt; &amp;gt;}) unescaped;</li>
 * <li>a retweet ({@code referenced_tweets} of type {@code retweeted}) carries {@code "RT @author: "}
 * and the retweeted tweet's full text, hashtags, mentions (its author first) and URLs, from
 * {@code includes.tweets} and {@code includes.users}; when the API did not include the retweeted
 * tweet (deleted, withheld), the retweet's own text and entities;</li>
 * <li>{@code replied_to} and {@code quoted} references give {@code replyTo} and {@code quoteOf};</li>
 * <li>URLs expanded ({@code expanded_url}), without the links of attached media, which API v1.1 keeps
 * apart from URLs;</li>
 * <li>{@code lang} {@code und} when the API sent none.</li>
 * </ul>
 * A post of the filtered stream keeps the tags of the rules it matched ({@code matchingRules}).
 * A tweet that cannot be mapped (no author in the includes, no {@code created_at}) is refused with an
 * {@link IllegalArgumentException}, which parks it in the dead-letter topic.
 */
public class V2TweetMapper {

    private static final String UNDETERMINED_LANGUAGE = "und";

    private final Clock clock;

    public V2TweetMapper() {
        this(Clock.systemUTC());
    }

    public V2TweetMapper(Clock clock) {
        this.clock = clock;
    }

    public TweetEvent toEvent(V2Tweet v2, @ExchangeProperty(TweetNormalizer.SOURCE_PROPERTY) String source) {
        if (v2 == null || v2.tweet() == null) {
            throw new IllegalArgumentException("No tweet to map: the message body is empty");
        }
        JsonNode tweet = v2.tweet();
        String id = text(tweet, "id");
        if (!V2Tweet.isTweetId(id)) {
            throw new IllegalArgumentException("Tweet without a valid id: " + id);
        }
        JsonNode author = user(v2, tweet, id);
        String retweetOf = reference(tweet, "retweeted");
        JsonNode original = retweetOf == null ? null : v2.referencedTweets().get(retweetOf);
        JsonNode originalAuthor = original == null ? null : v2.users().get(text(original, "author_id"));

        String fullText;
        JsonNode entities;
        List<String> mentions;
        if (originalAuthor != null) {
            String originalScreenName = text(originalAuthor, "username");
            fullText = "RT @" + originalScreenName + ": " + fullText(original);
            entities = entities(original);
            Set<String> withAuthor = new LinkedHashSet<>();
            withAuthor.add(originalScreenName);
            withAuthor.addAll(distinct(entities.path("mentions"), m -> text(m, "username")));
            mentions = List.copyOf(withAuthor);
        } else {
            fullText = fullText(tweet);
            entities = entities(tweet);
            mentions = distinct(entities.path("mentions"), m -> text(m, "username"));
        }
        String lang = text(tweet, "lang");
        return new TweetEvent(
                TweetEvent.SCHEMA_VERSION,
                id,
                createdAt(tweet, id),
                fullText,
                lang == null || lang.isBlank() ? UNDETERMINED_LANGUAGE : lang,
                new TweetEvent.User(text(author, "id"), text(author, "username"), text(author, "name"),
                        Math.max(0, author.path("public_metrics").path("followers_count").asLong(0))),
                distinct(entities.path("hashtags"), h -> text(h, "tag")),
                mentions,
                distinct(entities.path("urls"), V2TweetMapper::expandedUrl),
                retweetOf,
                reference(tweet, "replied_to"),
                reference(tweet, "quoted"),
                source == null || source.isBlank() ? "unknown" : source,
                Instant.now(clock).toString(),
                v2.matchingRules());
    }

    private static JsonNode user(V2Tweet v2, JsonNode tweet, String id) {
        String authorId = text(tweet, "author_id");
        if (authorId == null) {
            throw new IllegalArgumentException("Tweet " + id + " has no author_id (tweet.fields must include"
                    + " author_id, expansions author_id)");
        }
        JsonNode author = v2.users().get(authorId);
        if (author == null || text(author, "username") == null) {
            throw new IllegalArgumentException("Tweet " + id + ": its author " + authorId + " is not in includes.users");
        }
        return author;
    }

    private static String createdAt(JsonNode tweet, String id) {
        String createdAt = text(tweet, "created_at");
        if (createdAt == null) {
            throw new IllegalArgumentException("Tweet " + id + " has no created_at");
        }
        try {
            return Instant.parse(createdAt).toString();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("Tweet " + id + " has a created_at that is not ISO-8601: " + createdAt, e);
        }
    }

    /** The whole text: a long post's note_tweet text, else text; HTML entities unescaped. */
    private static String fullText(JsonNode tweet) {
        String note = text(tweet.path("note_tweet"), "text");
        String text = note != null && !note.isEmpty() ? note : text(tweet, "text");
        return unescape(text == null ? "" : text);
    }

    /** A long post's entities are those of its note_tweet (they index its full text). */
    private static JsonNode entities(JsonNode tweet) {
        JsonNode note = tweet.path("note_tweet").path("entities");
        return note.isObject() ? note : tweet.path("entities");
    }

    /** The id of the referenced tweet of this type (retweeted, replied_to, quoted), or null. */
    private static String reference(JsonNode tweet, String type) {
        for (JsonNode reference : tweet.path("referenced_tweets")) {
            if (type.equals(text(reference, "type"))) {
                return text(reference, "id");
            }
        }
        return null;
    }

    private static String expandedUrl(JsonNode url) {
        if (url.hasNonNull("media_key")) {
            return null;
        }
        String expanded = text(url, "expanded_url");
        return expanded != null ? expanded : text(url, "url");
    }

    private static List<String> distinct(JsonNode entities, Function<JsonNode, String> value) {
        Set<String> values = new LinkedHashSet<>();
        for (JsonNode entity : entities) {
            String v = value.apply(entity);
            if (v != null && !v.isEmpty()) {
                values.add(v);
            }
        }
        return new ArrayList<>(values);
    }

    /** The API escapes these three in text, as API v1.1 did. */
    static String unescape(String text) {
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
