package io.tweetstream;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.tweetstream.source.SourceSetting;
import io.tweetstream.source.TweetSourceSettings;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Checks the settings a user types, before anything starts (the embedded broker, a Kafka client,
 * a route): the source and its credentials, the yes/no settings, and the numbers, each as its own
 * bean reads it later. A bad value stops start-up at once with one line naming every variable to
 * fix ({@code TWEETS_EXACTLY_ONCE=abc is neither true nor false}) rather than after the broker's
 * start, among unrelated lines.
 */
final class StartupSettings extends MainListenerSupport {

    private static final String MILLISECONDS = "milliseconds";

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        check(main.getCamelContext().getPropertiesComponent());
    }

    /** Fails with one line naming every bad setting; changes nothing. */
    static void check(PropertiesComponent properties) {
        Settings settings = new Settings(properties);
        settings.source();
        settings.flag("tweets.exactly-once");
        settings.flag("kafka.topics.create");
        settings.flag("errors.redrive.enabled");
        settings.flag("tweets.sample.loop");
        settings.number("kafka.startup-timeout-ms", 0, "milliseconds (0: do not wait)");
        settings.number("kafka.topic.partitions", 1, "partitions");
        settings.number("tweets.dedup.cache-size", 1, "tweet ids");
        settings.decimal("tweets.sample.rate", "tweets a second (0: as fast as possible)");
        settings.number("tweets.sample.limit", 0, "tweets (0: no limit)");
        settings.number("twitter.refused-retry-ms", 1, MILLISECONDS);
        // what the X sources cost
        settings.number("x.daily-post-reads-budget", 0, "distinct post reads a UTC day (0: no budget)");
        settings.decimal("x.post-read-price-usd", "US dollars a post read");
        settings.number("x.usage.poll-interval-ms", 1, MILLISECONDS);
        // the X filtered stream
        settings.number("x.timeout-ms", 1, MILLISECONDS);
        settings.number("x.stream.stall-timeout-ms", 1, MILLISECONDS);
        settings.number("x.stream.backoff.network-ms", 1, MILLISECONDS);
        settings.number("x.stream.backoff.http-ms", 1, MILLISECONDS);
        settings.number("x.stream.backoff.rate-limit-ms", 1, MILLISECONDS);
        settings.number("x.stream.backoff.max-ms", 1, MILLISECONDS);
        settings.number("x.stream.healthy-after-ms", 0, MILLISECONDS);
        settings.number("x.stream.not-ready-after-ms", 0, MILLISECONDS);
        settings.flag("x.stream.gap-fill");
        settings.number("x.stream.gap-fill-max-pages", 1, "pages");
        settings.number("x.stream.backfill-minutes", 0, "minutes (0: off)");
        settings.number("x.stream.cursor-save-interval-ms", 0, MILLISECONDS);
        settings.oneOf("x.stream.rules-sync", List.of("", "replace", "add", "off"));
        if (!settings.problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", settings.problems));
        }
    }

    /** The variable users set for a key: upper case, '.' and '-' as '_' (x.stream.gap-fill: X_STREAM_GAP_FILL). */
    static String variable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The settings as resolved (environment, system properties, application.properties) and what is wrong with them. */
    private static final class Settings {

        private final PropertiesComponent properties;
        private final List<String> problems = new ArrayList<>();

        Settings(PropertiesComponent properties) {
            this.properties = properties;
        }

        Optional<String> value(String key) {
            return properties.resolveProperty(key).map(String::strip);
        }

        void source() {
            TweetSourceSettings source = new TweetSourceSettings();
            source.setSource(value("tweets.source").orElse("sample"));
            source.setConsumerKey(value("twitter.consumer-key").orElse(""));
            source.setConsumerSecret(value("twitter.consumer-secret").orElse(""));
            source.setAccessToken(value("twitter.access-token").orElse(""));
            source.setAccessTokenSecret(value("twitter.access-token-secret").orElse(""));
            source.setBearerToken(value("x.bearer.token").orElse(""));
            check(source::check);
        }

        void flag(String key) {
            value(key).ifPresent(text -> check(() -> SourceSetting.flag(variable(key), text)));
        }

        void number(String key, long min, String what) {
            value(key).ifPresent(text -> check(() -> SourceSetting.number(variable(key), text, min, what)));
        }

        void decimal(String key, String what) {
            value(key).ifPresent(text -> check(() -> SourceSetting.decimal(variable(key), text, what)));
        }

        void oneOf(String key, List<String> allowed) {
            value(key).filter(text -> !allowed.contains(text.toLowerCase(Locale.ROOT))).ifPresent(text -> problems.add(
                    variable(key) + "=" + text + " is not one of " + String.join(", ", allowed.stream()
                            .filter(v -> !v.isEmpty()).toList())));
        }

        private void check(Runnable check) {
            try {
                check.run();
            } catch (IllegalArgumentException | IllegalStateException e) {
                problems.add(e.getMessage());
            }
        }
    }
}
