package io.tweetstream.xv2;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One tweet of an X API v2 answer ({@code data[i]}), with the answer's expansions it refers to:
 * {@code includes.users} and {@code includes.tweets} by id (shared by the tweets of one page).
 * Its text form is the tweet's JSON as the API sent it (what a dead-lettered tweet keeps).
 */
public record V2Tweet(JsonNode tweet, Map<String, JsonNode> users, Map<String, JsonNode> referencedTweets) {

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
