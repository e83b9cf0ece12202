package io.tweetstream.source.x;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the X API says went wrong, in one line for a log message: its problem's {@code title},
 * {@code detail}, {@code reason} and {@code connection_issue} (RFC 7807 style), else the first
 * {@code errors[]} entry's {@code message} or {@code detail}, else the answer's first line; at most
 * 300 characters. Never a secret: the API echoes no credentials.
 */
public final class XProblem {

    private static final int MAX = 300;

    private XProblem() {
    }

    /** @param answer the answer parsed (null when it was not JSON); @param text the answer as sent */
    public static String of(JsonNode answer, String text) {
        if (answer == null || !answer.isObject()) {
            return excerpt(text);
        }
        List<String> parts = new ArrayList<>();
        for (String field : new String[] {"title", "detail", "reason", "connection_issue"}) {
            if (answer.hasNonNull(field)) {
                parts.add(answer.get(field).asText());
            }
        }
        JsonNode first = answer.path("errors").path(0);
        if (first.hasNonNull("message")) {
            parts.add(first.get("message").asText());
        } else if (parts.isEmpty() && first.hasNonNull("detail")) {
            parts.add(first.get("detail").asText());
        }
        return excerpt(String.join(": ", parts));
    }

    /** The first line of a text, cut to 300 characters. */
    public static String excerpt(String text) {
        String line = text == null ? "" : text.strip().lines().findFirst().orElse("");
        return line.length() > MAX ? line.substring(0, MAX) + "..." : line;
    }
}
