package io.tweetstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import twitter4j.TwitterException;
import twitter4j.TwitterObjectFactory;
import twitter4j.v1.Status;

/** Test fixtures: hand-made v1.1 tweets and v2 answers, the bundled sample tweets and the tweet event schema. */
public final class Tweets {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SAMPLE_FILE = Path.of("src/main/resources/sample-tweets.jsonl");
    private static JsonSchema schema;

    private Tweets() {
    }

    /** A valid tweet event (schema version 1) with this id and text, as published to Kafka. */
    public static String event(String id, String text) {
        return EVENT.formatted(id, text);
    }

    private static final String EVENT = """
            {"schemaVersion":1,"id":"%s","createdAt":"2026-11-21T10:30:00Z","text":"%s","lang":"en",\
            "user":{"id":"99120455","screenName":"gracehopper","name":"Grace H.","followers":1207},\
            "hashtags":[],"mentions":[],"urls":[],"source":"sample","ingestedAt":"2026-11-25T08:00:00.123Z"}""";

    /** A tweet from {@code src/test/resources/tweets/NAME.json}, parsed by twitter4j like camel-twitter does. */
    public static Status status(String name) {
        try {
            return TwitterObjectFactory.createStatus(fixture(name));
        } catch (TwitterException e) {
            throw new IllegalStateException("Fixture " + name + " is not a v1.1 tweet", e);
        }
    }

    public static String fixture(String name) {
        try (InputStream in = Tweets.class.getResourceAsStream("/tweets/" + name + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException("No fixture tweets/" + name + ".json");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An X API v2 answer from {@code src/test/resources/x-v2/NAME.json}, as the API sends it. */
    public static String v2Fixture(String name) {
        try (InputStream in = Tweets.class.getResourceAsStream("/x-v2/" + name + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException("No fixture x-v2/" + name + ".json");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An X API v2 answer fixture, parsed. */
    public static JsonNode v2Answer(String name) {
        try {
            return JSON.readTree(v2Fixture(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of the bundled sample file, one v1.1 tweet each. */
    public static List<String> sampleLines() {
        try {
            return Files.readAllLines(SAMPLE_FILE, StandardCharsets.UTF_8).stream()
                    .filter(line -> !line.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code id_str} of every bundled sample tweet. */
    public static Set<String> sampleIds() {
        return sampleLines().stream().map(line -> {
            try {
                return JSON.readTree(line).get("id_str").asText();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).collect(Collectors.toSet());
    }

    /** Problems of a tweet event against {@code schema/tweet-event.schema.json}; empty when valid. */
    public static Set<ValidationMessage> schemaProblems(JsonNode event) {
        return schema().validate(event);
    }

    private static synchronized JsonSchema schema() {
        if (schema == null) {
            try (InputStream in = Tweets.class.getResourceAsStream("/schema/tweet-event.schema.json")) {
                schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return schema;
    }
}
