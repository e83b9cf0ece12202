package io.tweetstream.source.xstream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tweetstream.source.x.XProblem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filtered stream's rules as configuration: {@code X_STREAM_RULES} (a JSON array of
 * {@code {"value","tag"}}, the API's own shape), else one rule from {@code X_QUERY} (or
 * {@code TWITTER_KEYWORDS}) tagged {@code tweetstream}; and how they are made the live rules of the
 * app ({@code GET/POST /2/tweets/search/stream/rules}): validated with {@code dry_run=true} (an
 * invalid rule is a configuration error naming the rule and X's reason), then synced per
 * {@code X_STREAM_RULES_SYNC}: {@code replace} (the live set becomes exactly the configured one),
 * {@code add} (add what is missing, delete nothing) or {@code off} (leave the live rules alone).
 */
public class StreamRules {

    /** The path of the rules, below X_API_BASE_URL. */
    public static final String PATH = "tweets/search/stream/rules";
    /** The tag of the rule made from X_QUERY / TWITTER_KEYWORDS. */
    public static final String DEFAULT_TAG = "tweetstream";
    /** X's limits: rules per stream (pay-per-use and Pro) and characters per rule. */
    static final int MAX_RULES = 1000;
    static final int MAX_RULE_LENGTH = 1024;
    /** Rules per add or delete request. */
    private static final int BATCH = 100;

    private static final Logger LOG = LoggerFactory.getLogger(StreamRules.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A configured rule. */
    public record Rule(String value, String tag) {
        @Override
        public String toString() {
            return "'" + value + "'" + (tag == null ? "" : " (tag " + tag + ")");
        }
    }

    /** A rule on the server. */
    public record LiveRule(String id, String value, String tag) {
        Rule rule() {
            return new Rule(value, tag);
        }
    }

    /** X_STREAM_RULES_SYNC. */
    public enum Sync { REPLACE, ADD, OFF }

    /** An invalid rule set: a configuration error, never retried. */
    public static class InvalidRulesException extends IllegalArgumentException {
        public InvalidRulesException(String message) {
            super(message);
        }
    }

    /** The rules API answered with an error (to back off from as any other HTTP error). */
    public static class RulesApiException extends IOException {
        private final transient XApiHttp.Answer answer;
        private final String doing;

        RulesApiException(String doing, XApiHttp.Answer answer) {
            super(doing + ": HTTP " + answer.status());
            this.answer = answer;
            this.doing = doing;
        }

        /** What the request was for (reading the live stream rules, ...). */
        public String doing() {
            return doing;
        }

        public XApiHttp.Answer answer() {
            return answer;
        }
    }

    private final List<Rule> configured;
    private final Sync sync;
    private volatile Map<String, LiveRule> live = Map.of();

    public StreamRules(List<Rule> configured, Sync sync) {
        this.configured = List.copyOf(configured);
        this.sync = sync;
    }

    /**
     * The configured rules: {@code rulesJson} (X_STREAM_RULES), else one rule of the query.
     *
     * @throws InvalidRulesException naming the variable and what is wrong
     */
    public static List<Rule> configured(String rulesJson, String query, String keywords) {
        String json = rulesJson == null ? "" : rulesJson.strip();
        List<Rule> rules = new ArrayList<>();
        if (!json.isEmpty()) {
            JsonNode array;
            try {
                array = JSON.readTree(json);
            } catch (JsonProcessingException e) {
                throw new InvalidRulesException("X_STREAM_RULES is not JSON (" + e.getOriginalMessage()
                        + "); expected an array of {\"value\":\"...\",\"tag\":\"...\"}");
            }
            if (array == null || !array.isArray()) {
                throw new InvalidRulesException("X_STREAM_RULES must be a JSON array of {\"value\":\"...\",\"tag\":\"...\"},"
                        + " not " + (array == null ? "nothing" : array.getNodeType().name().toLowerCase(Locale.ROOT)));
            }
            Set<String> values = new LinkedHashSet<>();
            int index = 0;
            for (JsonNode item : array) {
                index++;
                JsonNode value = item.get("value");
                if (!item.isObject() || value == null || !value.isTextual() || value.asText().isBlank()) {
                    throw new InvalidRulesException("X_STREAM_RULES: rule " + index + " has no \"value\" (each rule is"
                            + " {\"value\":\"...\",\"tag\":\"...\"}): " + item);
                }
                JsonNode tag = item.get("tag");
                if (tag != null && !tag.isNull() && !tag.isTextual()) {
                    throw new InvalidRulesException("X_STREAM_RULES: the \"tag\" of rule " + index + " is not a string: "
                            + item);
                }
                String text = value.asText().strip();
                if (text.length() > MAX_RULE_LENGTH) {
                    throw new InvalidRulesException("X_STREAM_RULES: rule " + index + " has " + text.length()
                            + " characters, X allows " + MAX_RULE_LENGTH + ": '" + text.substring(0, 60) + "...'");
                }
                if (!values.add(text)) {
                    throw new InvalidRulesException("X_STREAM_RULES: the rule '" + text + "' is there twice");
                }
                String tagText = tag == null || tag.isNull() || tag.asText().isBlank() ? null : tag.asText().strip();
                rules.add(new Rule(text, tagText));
            }
            if (rules.size() > MAX_RULES) {
                throw new InvalidRulesException("X_STREAM_RULES has " + rules.size() + " rules, X allows " + MAX_RULES);
            }
        }
        if (rules.isEmpty()) {
            String q = query == null || query.isBlank() ? keywords : query;
            if (q == null || q.isBlank()) {
                throw new InvalidRulesException("TWEETS_SOURCE=x-v2-stream needs rules: set X_STREAM_RULES (a JSON array"
                        + " of {\"value\",\"tag\"}) or X_QUERY");
            }
            if (q.strip().length() > MAX_RULE_LENGTH) {
                throw new InvalidRulesException("X_QUERY has " + q.strip().length() + " characters, a stream rule may"
                        + " have " + MAX_RULE_LENGTH);
            }
            rules.add(new Rule(q.strip(), DEFAULT_TAG));
        }
        return rules;
    }

    /** X_STREAM_RULES_SYNC: replace, add or off. */
    public static Sync sync(String mode) {
        String m = mode == null ? "" : mode.strip().toLowerCase(Locale.ROOT);
        return switch (m) {
            case "", "replace" -> Sync.REPLACE;
            case "add" -> Sync.ADD;
            case "off" -> Sync.OFF;
            default -> throw new IllegalArgumentException("X_STREAM_RULES_SYNC=" + mode + " is not a sync mode; use"
                    + " replace (the live rules become exactly X_STREAM_RULES), add (add what is missing) or off");
        };
    }

    public List<Rule> rules() {
        return configured;
    }

    public Sync mode() {
        return sync;
    }

    /** The live rules after the last sync, by id. */
    public Map<String, LiveRule> live() {
        return live;
    }

    /** The tag a stream message's matching rule stands for: its tag, else the live rule's value, else its id. */
    public String tagOf(JsonNode matchingRule) {
        String tag = matchingRule.path("tag").asText("");
        if (!tag.isEmpty()) {
            return tag;
        }
        String id = matchingRule.path("id").asText("");
        LiveRule rule = live.get(id);
        return rule != null ? (rule.tag() != null ? rule.tag() : rule.value()) : id;
    }

    /**
     * Validates the configured rules ({@code dry_run}) and makes the live rules what the sync mode
     * says. Returns once the server has them.
     *
     * @throws InvalidRulesException when X refuses a configured rule
     * @throws RulesApiException when the rules API answers with an error
     * @throws IOException when it does not answer
     */
    public void apply(XApiHttp http) throws IOException {
        if (sync != Sync.OFF) {
            validate(http);
        }
        List<LiveRule> current = fetch(http);
        if (sync == Sync.OFF) {
            LOG.info("Stream rules left as they are (X_STREAM_RULES_SYNC=off): {} live rule(s){}", current.size(),
                    current.isEmpty() ? " (none: the stream answers 409 until rules are added)" : ": " + describe(current));
            remember(current);
            return;
        }
        Set<Rule> wanted = new LinkedHashSet<>(configured);
        List<LiveRule> stray = current.stream().filter(rule -> !wanted.contains(rule.rule())).toList();
        Set<Rule> present = new LinkedHashSet<>();
        current.forEach(rule -> present.add(rule.rule()));
        List<Rule> missing = configured.stream().filter(rule -> !present.contains(rule)).toList();
        if (sync == Sync.REPLACE && !stray.isEmpty()) {
            for (LiveRule rule : stray) {
                LOG.info("Deleting the live stream rule {} '{}'{}: not in X_STREAM_RULES (X_STREAM_RULES_SYNC=replace)",
                        rule.id(), rule.value(), rule.tag() == null ? "" : " (tag " + rule.tag() + ")");
            }
            delete(http, stray);
        } else if (!stray.isEmpty()) {
            LOG.info("Keeping {} live stream rule(s) not in X_STREAM_RULES (X_STREAM_RULES_SYNC=add): {}", stray.size(),
                    describe(stray));
        }
        if (!missing.isEmpty()) {
            add(http, missing, false);
        }
        List<LiveRule> after = fetch(http);
        remember(after);
        LOG.info("Stream rules synced ({}): {} live, {} added, {} deleted", sync.name().toLowerCase(Locale.ROOT),
                after.size(), missing.size(), sync == Sync.REPLACE ? stray.size() : 0);
    }

    private void remember(List<LiveRule> rules) {
        Map<String, LiveRule> byId = new LinkedHashMap<>();
        rules.forEach(rule -> byId.put(rule.id(), rule));
        live = Map.copyOf(byId);
    }

    private void validate(XApiHttp http) throws IOException {
        for (int from = 0; from < configured.size(); from += BATCH) {
            add(http, configured.subList(from, Math.min(configured.size(), from + BATCH)), true);
        }
    }

    private void add(XApiHttp http, List<Rule> rules, boolean dryRun) throws IOException {
        for (int from = 0; from < rules.size(); from += BATCH) {
            ObjectNode body = JSON.createObjectNode();
            ArrayNode add = body.putArray("add");
            for (Rule rule : rules.subList(from, Math.min(rules.size(), from + BATCH))) {
                ObjectNode item = add.addObject().put("value", rule.value());
                if (rule.tag() != null) {
                    item.put("tag", rule.tag());
                }
            }
            XApiHttp.Answer answer = http.post(PATH, dryRun ? Map.of("dry_run", "true") : Map.of(), body.toString());
            JsonNode json = parse(answer.body());
            if (answer.status() == 400 && json != null && json.has("errors") && !json.has("title")) {
                refuse(rules, json);
            }
            if (dryRun && (answer.status() == 400 || answer.status() == 422)) {
                // X refuses the request itself: only our rules are in it
                Rule named = rules.stream().filter(rule -> answer.body().contains(rule.value())).findFirst().orElse(null);
                throw new InvalidRulesException("X refuses the stream rules of X_STREAM_RULES" + (named == null ? ""
                        : " (" + named + ")") + " (HTTP " + answer.status() + "): " + XProblem.of(json, answer.body()));
            }
            if (answer.status() / 100 != 2) {
                throw new RulesApiException((dryRun ? "validating" : "adding") + " the stream rules", answer);
            }
            refuse(rules, json);
        }
    }

    /** Fails naming the first rule X calls invalid; duplicates of live rules are no error. */
    private static void refuse(List<Rule> rules, JsonNode answer) {
        if (answer == null) {
            return;
        }
        for (JsonNode error : answer.path("errors")) {
            String title = error.path("title").asText("");
            String type = error.path("type").asText("");
            if (title.equals("DuplicateRule") || type.endsWith("duplicate-rules")) {
                continue;
            }
            String value = error.path("value").asText("");
            Rule rule = rules.stream().filter(r -> r.value().equals(value)).findFirst().orElse(null);
            List<String> reasons = new ArrayList<>();
            error.path("details").forEach(detail -> reasons.add(detail.asText()));
            if (reasons.isEmpty()) {
                for (String field : new String[] {"detail", "message"}) {
                    if (error.hasNonNull(field)) {
                        reasons.add(error.get(field).asText());
                    }
                }
            }
            throw new InvalidRulesException("X refuses the stream rule " + (rule != null ? rule : "'" + value + "'")
                    + " of X_STREAM_RULES" + (rules.size() == 1 && rules.get(0).tag() != null
                            && DEFAULT_TAG.equals(rules.get(0).tag()) ? " (from X_QUERY)" : "") + ": "
                    + (title.isEmpty() ? "" : title + ": ") + String.join("; ", reasons));
        }
    }

    private static List<LiveRule> fetch(XApiHttp http) throws IOException {
        XApiHttp.Answer answer = http.get(PATH, Map.of());
        if (answer.status() != 200) {
            throw new RulesApiException("reading the live stream rules", answer);
        }
        JsonNode json = parse(answer.body());
        if (json == null || !json.isObject()) {
            throw new RulesApiException("reading the live stream rules (not the JSON expected)", answer);
        }
        List<LiveRule> rules = new ArrayList<>();
        for (JsonNode rule : json.path("data")) {
            rules.add(new LiveRule(rule.path("id").asText(), rule.path("value").asText(),
                    rule.hasNonNull("tag") && !rule.get("tag").asText().isEmpty() ? rule.get("tag").asText() : null));
        }
        return rules;
    }

    private static void delete(XApiHttp http, List<LiveRule> rules) throws IOException {
        for (int from = 0; from < rules.size(); from += BATCH) {
            ObjectNode body = JSON.createObjectNode();
            ArrayNode ids = body.putObject("delete").putArray("ids");
            rules.subList(from, Math.min(rules.size(), from + BATCH)).forEach(rule -> ids.add(rule.id()));
            XApiHttp.Answer answer = http.post(PATH, Map.of(), body.toString());
            if (answer.status() / 100 != 2) {
                throw new RulesApiException("deleting stream rules", answer);
            }
        }
    }

    private static String describe(List<LiveRule> rules) {
        StringBuilder text = new StringBuilder();
        for (LiveRule rule : rules) {
            text.append(text.isEmpty() ? "" : ", ").append('\'').append(rule.value()).append('\'')
                    .append(rule.tag() == null ? "" : " (tag " + rule.tag() + ")");
        }
        return text.toString();
    }

    static JsonNode parse(String text) {
        try {
            return text == null || text.isBlank() ? null : JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
