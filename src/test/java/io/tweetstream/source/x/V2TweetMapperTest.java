package io.tweetstream.source.x;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tweetstream.Tweets;
import io.tweetstream.event.TweetEvent;
import io.tweetstream.event.TweetJson;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** API v2 answers (fixtures written in the API's shapes) into tweet events, field by field. */
class V2TweetMapperTest {

    private static final Instant NOW = Instant.parse("2026-11-25T10:00:09.250Z");
    private final V2TweetMapper mapper = new V2TweetMapper(Clock.fixed(NOW, ZoneOffset.UTC));

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
        search-page-1 | 1861400000000000010 | {"schemaVersion":1,"id":"1861400000000000010","createdAt":"2026-11-25T10:00:05Z","text":"Kafka 3.9 & KRaft: no more ZooKeeper 🎉 thanks @gracehopper! Notes: https://t.co/Kr4ftN0tes #kafka #KRaft","lang":"en","user":{"id":"783214","screenName":"ada_dev","name":"Ada Lovelace 🧮","followers":48211},"hashtags":["kafka","KRaft"],"mentions":["gracehopper"],"urls":["https://example.org/kafka-3-9-kraft"],"source":"x-v2-search","ingestedAt":"2026-11-25T10:00:09.250Z"}
        search-page-1 | 1861400000000000009 | {"schemaVersion":1,"id":"1861400000000000009","createdAt":"2026-11-25T10:00:04Z","text":"RT @gracehopper: Exactly-once in Kafka is three promises kept together: an idempotent producer, transactions that span partitions, and consumers that read only committed data. Most outages I have seen came from teams keeping two of the three. Write-up with the failure cases & the configs that prevent them: https://t.co/Ex4ctLy1c3 #exactlyonce #kafka cc @ada_dev","lang":"en","user":{"id":"2244994945","screenName":"linus_k","name":"Linus K.","followers":310},"hashtags":["exactlyonce","kafka"],"mentions":["gracehopper","ada_dev"],"urls":["https://example.org/blog/exactly-once-failure-cases"],"retweetOf":"1861399999999999001","source":"x-v2-search","ingestedAt":"2026-11-25T10:00:09.250Z"}
        search-page-1 | 1861400000000000008 | {"schemaVersion":1,"id":"1861400000000000008","createdAt":"2026-11-25T10:00:03Z","text":"@ada_dev KRaftモードへの移行、とても参考になりました 🙏 #カフカ","lang":"ja","user":{"id":"1602001","screenName":"yuki_dev","name":"ゆき 🐘","followers":5230},"hashtags":["カフカ"],"mentions":["ada_dev"],"urls":[],"replyTo":"1861399999999999002","source":"x-v2-search","ingestedAt":"2026-11-25T10:00:09.250Z"}
        search-page-1 | 1861400000000000007 | {"schemaVersion":1,"id":"1861400000000000007","createdAt":"2026-11-25T10:00:02Z","text":"This is the post everyone should read <3 https://t.co/QqQqQqQqQq https://t.co/MeDiA12345","lang":"en","user":{"id":"99120455","screenName":"gracehopper","name":"Grace H.","followers":1207},"hashtags":[],"mentions":[],"urls":["https://x.com/ada_dev/status/1861399999999999003"],"quoteOf":"1861399999999999003","source":"x-v2-search","ingestedAt":"2026-11-25T10:00:09.250Z"}
        search-page-1 | 1861400000000000006 | {"schemaVersion":1,"id":"1861400000000000006","createdAt":"2026-11-25T10:00:01Z","text":"Thread-sized thoughts on consumer lag: lag in records says little; lag in seconds says what users feel. We now export both, alert on seconds, and page only when the p99 freshness breaks 30 s for 5 minutes. Dashboards and the PromQL behind them: https://t.co/LaGd4shb0a #kafka #observability #SRE","lang":"en","user":{"id":"783214","screenName":"ada_dev","name":"Ada Lovelace 🧮","followers":48211},"hashtags":["kafka","observability","SRE"],"mentions":[],"urls":["https://example.org/dashboards/consumer-lag"],"source":"x-v2-search","ingestedAt":"2026-11-25T10:00:09.250Z"}
        search-page-2 | 1861400000000000004 | {"schemaVersion":1,"id":"1861400000000000004","createdAt":"2026-11-25T09:59:57Z","text":"@linus_k そうですね！ 👍","lang":"ja","user":{"id":"1602001","screenName":"yuki_dev","name":"ゆき 🐘","followers":5230},"hashtags":[],"mentions":["linus_k"],"urls":[],"replyTo":"1861399999999999100","source":"x-v2-search","ingestedAt":"2026-11-25T10:00:09.250Z"}
        search-page-2 | 1861400000000000003 | {"schemaVersion":1,"id":"1861400000000000003","createdAt":"2026-11-25T09:59:56Z","text":"RT @ada_dev: Tip: set acks=all and enable.idempotence=true before you tune anything else. #kafka","lang":"en","user":{"id":"99120455","screenName":"gracehopper","name":"Grace H.","followers":1207},"hashtags":["kafka"],"mentions":["ada_dev"],"urls":[],"retweetOf":"1861399999999999101","source":"x-v2-search","ingestedAt":"2026-11-25T10:00:09.250Z"}
        """)
    void mapsEachTweetToTheExactEvent(String answer, String id, String expected) throws Exception {
        TweetEvent event = mapper.toEvent(tweet(answer, id), "x-v2-search");

        JsonNode actual = Tweets.JSON.readTree(TweetJson.objectMapper().writeValueAsString(event));
        assertThat(actual).isEqualTo(Tweets.JSON.readTree(expected));
        assertThat(Tweets.schemaProblems(actual)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"search-page-1", "search-page-2", "search-newer"})
    void everyTweetOfEveryAnswerIsAValidEvent(String answer) {
        List<V2Tweet> tweets = V2Tweet.of(Tweets.v2Answer(answer));

        assertThat(tweets).isNotEmpty();
        for (V2Tweet tweet : tweets) {
            JsonNode event = Tweets.JSON.valueToTree(mapper.toEvent(tweet, "x-v2-search"));
            assertThat(Tweets.schemaProblems(event)).as("event of %s", tweet.id()).isEmpty();
            assertThat(event.get("text").asText()).as("unescaped").doesNotContain("&amp;", "&lt;", "&gt;");
        }
    }

    @Test
    void aLongPostGivesTheNoteTweetTextNotTheCutOne() {
        V2Tweet longPost = tweet("search-page-1", "1861400000000000006");

        TweetEvent event = mapper.toEvent(longPost, "x-v2-search");

        assertThat(longPost.tweet().get("text").asText()).doesNotContain("#observability");
        assertThat(event.text()).endsWith("#kafka #observability #SRE").hasSizeGreaterThan(280);
    }

    @Test
    void aTweetWithoutLanguageIsUndetermined() {
        V2Tweet plain = tweet("search-page-1", "1861400000000000010");
        ((ObjectNode) plain.tweet()).remove("lang");

        assertThat(mapper.toEvent(plain, "x-v2-search").lang()).isEqualTo("und");
    }

    @Test
    void aTweetWhoseAuthorIsNotIncludedIsRefused() {
        V2Tweet tweet = tweet("search-page-1", "1861400000000000010");
        V2Tweet withoutUsers = new V2Tweet(tweet.tweet(), java.util.Map.of(), tweet.referencedTweets());

        assertThatThrownBy(() -> mapper.toEvent(withoutUsers, "x-v2-search"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Tweet 1861400000000000010: its author 783214 is not in includes.users");
    }

    @Test
    void aTweetWithoutCreationTimeIsRefused() {
        V2Tweet tweet = tweet("search-page-1", "1861400000000000010");
        ((ObjectNode) tweet.tweet()).remove("created_at");

        assertThatThrownBy(() -> mapper.toEvent(tweet, "x-v2-search"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no created_at");
    }

    @Test
    void anEmptyAnswerHasNoTweets() {
        assertThat(V2Tweet.of(Tweets.v2Answer("search-empty"))).isEmpty();
    }

    private static V2Tweet tweet(String answer, String id) {
        return V2Tweet.of(Tweets.v2Answer(answer)).stream().filter(t -> t.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no tweet " + id + " in " + answer));
    }
}
