package io.tweetstream.event;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.tweetstream.Tweets;
import org.junit.jupiter.api.Test;
import twitter4j.TwitterObjectFactory;
import twitter4j.v1.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TweetNormalizerTest {

    private static final Instant NOW = Instant.parse("2026-11-25T08:00:00.123Z");
    private final TweetNormalizer normalizer = new TweetNormalizer(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void retweetKeepsOriginalIdAndFullText() {
        TweetEvent event = normalizer.normalize(Tweets.status("retweet"), "sample");

        assertThat(event.id()).isEqualTo("1861299999999999999");
        assertThat(event.retweetOf()).isEqualTo("1861234567890123456");
        assertThat(event.text()).isEqualTo("RT @ada_dev: Shipping the new stream processor today 🚀 thanks @gracehopper"
                + " for the review! Details: https://t.co/AbCdEf1234 #kafka #streaming");
        assertThat(event.hashtags()).containsExactly("kafka", "streaming");
        assertThat(event.mentions()).containsExactly("ada_dev", "gracehopper");
        assertThat(event.urls()).containsExactly("https://example.org/blog/stream-processor");
        assertThat(event.user().screenName()).isEqualTo("gracehopper");
        assertThat(event.replyTo()).isNull();
        assertThat(event.quoteOf()).isNull();
    }

    @Test
    void emojiAndNonBmpTextSurviveUnchanged() {
        TweetEvent event = normalizer.normalize(Tweets.status("emoji"), "sample");

        assertThat(event.text()).isEqualTo("今日は𝕏のテストです 🎉👩‍💻 #日本 @ada_dev ありがとう！");
        assertThat(event.hashtags()).containsExactly("日本");
        assertThat(event.mentions()).containsExactly("ada_dev");
        assertThat(event.lang()).isEqualTo("ja");
    }

    @Test
    void extendedTweetGivesFullTextAndItsEntities() {
        TweetEvent event = normalizer.normalize(Tweets.status("extended"), "sample");

        assertThat(event.text()).startsWith("Long read on exactly-once delivery")
                .contains("original bytes & headers").endsWith("with benchmarks #kafka").doesNotContain("…");
        assertThat(event.hashtags()).containsExactly("kafka");
    }

    @Test
    void tweetWithoutEntitiesHasEmptyLists() {
        TweetEvent event = normalizer.normalize(Tweets.status("no-entities"), "sample");

        assertThat(event.hashtags()).isEmpty();
        assertThat(event.mentions()).isEmpty();
        assertThat(event.urls()).isEmpty();
        assertThat(event.retweetOf()).isNull();
    }

    @Test
    void replyAndQuoteCarryTheIdsTheyReferTo() {
        assertThat(normalizer.normalize(Tweets.status("reply"), "sample").replyTo()).isEqualTo("1861234567890123456");
        TweetEvent quote = normalizer.normalize(Tweets.status("quote"), "sample");
        assertThat(quote.quoteOf()).isEqualTo("1861234567890123456");
        assertThat(quote.urls()).containsExactly("https://twitter.com/ada_dev/status/1861234567890123456");
    }

    @Test
    void timestampsAreIsoInstantsInUtc() {
        TweetEvent event = normalizer.normalize(Tweets.status("no-entities"), "twitter-search");

        assertThat(event.createdAt()).isEqualTo("2026-11-21T12:00:00Z");
        assertThat(event.ingestedAt()).isEqualTo("2026-11-25T08:00:00.123Z");
        assertThat(event.source()).isEqualTo("twitter-search");
        assertThat(event.schemaVersion()).isEqualTo(TweetEvent.SCHEMA_VERSION);
    }

    @Test
    void missingLanguageBecomesUndetermined() throws Exception {
        JsonNode tweet = Tweets.JSON.readTree(Tweets.fixture("no-entities"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) tweet).putNull("lang");

        TweetEvent event = normalizer.normalize(TwitterObjectFactory.createStatus(tweet.toString()), "sample");

        assertThat(event.lang()).isEqualTo("und");
    }

    @Test
    void emptyBodyIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> normalizer.normalize(null, "sample"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("No tweet");
    }

    @Test
    void anEventFromASourceThatMapsItsOwnApiPassesThroughUnchanged() {
        TweetEvent event = normalizer.normalize(Tweets.status("emoji"), "x-v2-search");

        assertThat(normalizer.normalize(event, "sample")).isSameAs(event);
    }

    @Test
    void aBodyThatIsNoTweetIsRefusedNamingItsType() {
        assertThatThrownBy(() -> normalizer.normalize("{\"id\":1}", "sample"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Not a tweet: a java.lang.String is neither a twitter4j Status nor a tweet event");
    }

    @Test
    void everySampleTweetGivesASchemaValidEventWithAUniqueId() throws Exception {
        List<String> lines = Tweets.sampleLines();
        assertThat(lines).hasSizeGreaterThanOrEqualTo(300);
        Set<String> ids = new HashSet<>();
        for (String line : lines) {
            Status status = TwitterObjectFactory.createStatus(line);
            TweetEvent event = normalizer.normalize(status, "sample");
            JsonNode json = Tweets.JSON.valueToTree(event);

            assertThat(Tweets.schemaProblems(json)).as("schema problems of tweet %s", event.id()).isEmpty();
            assertThat(ids.add(event.id())).as("id %s is unique", event.id()).isTrue();
            assertThat(event.id()).isEqualTo(Tweets.JSON.readTree(line).get("id_str").asText());
            assertThat(event.text()).as("text of %s is not cut", event.id()).doesNotEndWith("…");
        }
    }
}
