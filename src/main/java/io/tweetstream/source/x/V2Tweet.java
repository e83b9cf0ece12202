package io.tweetstream.source.x;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One tweet of an X API v2 answer ({@code data[i]}, or a filtered-stream message's {@code data}), with
 * the answer's expansions it refers to: {@code includes.users} and {@code includes.tweets} by id
 * (shared by the tweets of one page), and for the filtered stream the tags of the rules it matched.
 * Its text form is the tweet's JSON as the API sent it (what a dead-lettered tweet keeps).
 */
public record V2Tweet(JsonNode tweet, Map<String, JsonNode> users, Map<String, JsonNode> referencedTweets,
        List<String> matchingRules) {

    /**
     * The request parameters that fill every field of the tweet event ({@link V2TweetMapper}): tweet
     * fields, the author's fields, and the expansions (the author, the retweeted, quoted and
     * replied-to tweets and their authors). The same for recent search and the filtered stream.
     */
    public static final Map<String, String> FIELDS = Map.of(
            "tweet.fields", "created_at,lang,author_id,entities,referenced_tweets,note_tweet",
            "user.fields", "username,name,public_metrics",
            "expansions", "author_id,referenced_tweets.id,referenced_tweets.id.author_id");

    /** A tweet of a search answer: no rules. */
    public V2Tweet(JsonNode tweet, Map<String, JsonNode> users, Map<String, JsonNode> referencedTweets) {
        this(tweet, users, referencedTweets, null);
    }

    /**
     * The post of a filtered-stream message ({@code data} an object, {@code includes},
     * {@code matching_rules}), or null when the message carries no post.
     *
     * @param tagOf the tag to record for a matching rule: from its {@code tag}, else its {@code id}
     */
    public static V2Tweet ofStreamMessage(JsonNode message, java.util.function.Function<JsonNode, String> tagOf) {
        JsonNode data = message.path("data");
        if (!data.isObject()) {
            return null;
        }
        List<String> tags = new ArrayList<>();
        for (JsonNode rule : message.path("matching_rules")) {
            String tag = tagOf.apply(rule);
            if (tag != null && !tag.isEmpty() && !tags.contains(tag)) {
                tags.add(tag);
            }
        }
        return new V2Tweet(data, byId(message.path("includes").path("users")),
                byId(message.path("includes").path("tweets")), List.copyOf(tags));
    }

    /** The same tweet with these rule tags. */
    public V2Tweet withMatchingRules(List<String> tags) {
        return new V2Tweet(tweet, users, referencedTweets, tags == null ? null : List.copyOf(tags));
    }

    /** The tweets of an answer ({@code data}), each with the answer's {@code includes}. */
    public static List<V2Tweet> of(JsonNode answer) {
        JsonNode data = answer.path("data");
        if (!data.isArray() || data.isEmpty()) {
            return List.of();
        }
        Map<String, JsonNode> users = byId(answer.path("includes").path("users"));
        Map<String, JsonNode> referenced = byId(answer.path("includes").path("tweets"));
        List<V2Tweet> tweets = new ArrayList<>(data.size());
        data.forEach(tweet -> tweets.add(new V2Tweet(tweet, users, referenced)));
        return tweets;
    }

    private static Map<String, JsonNode> byId(JsonNode array) {
        Map<String, JsonNode> byId = new HashMap<>();
        array.forEach(node -> {
            if (node.hasNonNull("id")) {
                byId.put(node.get("id").asText(), node);
            }
        });
        return Map.copyOf(byId);
    }

    /**
     * Whether {@code id} is a tweet id: a decimal number above 0 that fits a signed 64-bit long (the
     * API sends ids as strings; what the app compares and publishes must be one).
     */
    public static boolean isTweetId(String id) {
        if (id == null || !id.matches("[1-9]\\d{0,18}")) {
            return false;
        }
        try {
            Long.parseLong(id);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The tweet's id as the API sent it. */
    public String id() {
        return tweet.path("id").asText();
    }

    @Override
    public String toString() {
        return tweet.toString();
    }
}
