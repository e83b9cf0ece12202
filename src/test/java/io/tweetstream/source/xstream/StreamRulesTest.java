package io.tweetstream.source.xstream;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tweetstream.FakeXStream;
import io.tweetstream.source.x.XApiClient;
import io.tweetstream.source.xstream.StreamRules.InvalidRulesException;
import io.tweetstream.source.xstream.StreamRules.Rule;
import io.tweetstream.source.xstream.StreamRules.RulesApiException;
import io.tweetstream.source.xstream.StreamRules.Sync;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamRulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "rules-test-token";

    private final List<Rule> configured = List.of(new Rule("kafka lang:en", "kafka"), new Rule("camel", "camel"),
            new Rule("#tweetstream", null));

    private FakeXStream fake;
    private XApiHttp http;

    @BeforeEach
    void startFake() {
        fake = new FakeXStream();
        fake.setToken(TOKEN);
        XApiClient client = new XApiClient();
        client.setToken(TOKEN);
        http = new XApiHttp(fake.baseUrl(), client, Duration.ofSeconds(10));
    }

    @AfterEach
    void stopFake() throws IOException {
        http.close();
        fake.close();
    }

    @Test
    void aJsonArrayOfRulesIsReadInOrder() {
        List<Rule> rules = StreamRules.configured("[{\"value\":\"kafka lang:en\",\"tag\":\"kafka\"},"
                + "{\"value\":\"camel -is:retweet\",\"tag\":\"camel\"},{\"value\":\"#tweetstream\",\"tag\":\"ours\"}]",
                "ignored query", "ignored keywords");

        assertThat(rules).containsExactly(new Rule("kafka lang:en", "kafka"), new Rule("camel -is:retweet", "camel"),
                new Rule("#tweetstream", "ours"));
    }

    @Test
    void aRuleWithoutTagHasNoTag() {
        List<Rule> rules = StreamRules.configured("[{\"value\":\"kafka\"},{\"value\":\"camel\",\"tag\":null},"
                + "{\"value\":\"quarkus\",\"tag\":\"  \"}]", null, null);

        assertThat(rules).containsExactly(new Rule("kafka", null), new Rule("camel", null), new Rule("quarkus", null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "[]", " [ ] "})
    void noConfiguredRulesMeansOneRuleOfTheQueryTaggedTweetstream(String rulesJson) {
        assertThat(StreamRules.configured(rulesJson, " kafka OR camel ", "ignored keywords"))
                .containsExactly(new Rule("kafka OR camel", "tweetstream"));
    }

    @Test
    void noRulesAtAllMeansOneRuleOfTheQuery() {
        assertThat(StreamRules.configured(null, "kafka", null)).containsExactly(new Rule("kafka", "tweetstream"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]"})
    void withoutRulesOrQueryTheKeywordsMakeTheRule(String rulesJson) {
        assertThat(StreamRules.configured(rulesJson, "  ", "kafka,camel"))
                .containsExactly(new Rule("kafka,camel", "tweetstream"));
    }

    @Test
    void withoutRulesQueryOrKeywordsItIsAConfigurationErrorNamingBothVariables() {
        assertThatThrownBy(() -> StreamRules.configured("", "", ""))
                .isInstanceOf(InvalidRulesException.class)
                .hasMessageContaining("X_STREAM_RULES")
                .hasMessageContaining("X_QUERY");
        assertThatThrownBy(() -> StreamRules.configured("[]", null, null))
                .isInstanceOf(InvalidRulesException.class)
                .hasMessageContaining("X_STREAM_RULES")
                .hasMessageContaining("X_QUERY");
    }

    @Test
    void rulesThatAreNotJsonAreRefused() {
        assertThatThrownBy(() -> StreamRules.configured("[{\"value\": kafka", "query", null))
                .isInstanceOf(InvalidRulesException.class)
                .hasMessageContaining("X_STREAM_RULES")
                .hasMessageContaining("not JSON");
    }

    @Test
    void rulesThatAreNotAnArrayAreRefused() {
        assertThatThrownBy(() -> StreamRules.configured("{\"value\":\"kafka\",\"tag\":\"kafka\"}", "query", null))
                .isInstanceOf(InvalidRulesException.class)
                .hasMessageContaining("X_STREAM_RULES")
                .hasMessageContaining("must be a JSON array")
                .hasMessageContaining("not object");
    }

    @Test
    void aRuleWithoutValueIsRefusedNamingItsPosition() {
        assertThatThrownBy(() -> StreamRules.configured("[{\"value\":\"kafka\"},{\"tag\":\"camel\"}]", "query", null))
                .isInstanceOf(InvalidRulesException.class)
                .hasMessageContaining("X_STREAM_RULES")
                .hasMessageContaining("rule 2 has no \"value\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[{\"value\":\"\"}]", "[{\"value\":\"   \"}]", "[{\"value\":42}]", "[\"kafka\"]",
            "[{\"value\":null}]"})
    void aRuleWhoseValueIsEmptyOrNotAStringIsRefused(String rulesJson) {
        assertThatThrownBy(() -> StreamRules.configured(rulesJson, "query", null))
                .isInstanceOf(InvalidRulesException.class)
                .hasMessageContaining("X_STREAM_RULES")
                .hasMessageContaining("rule 1 has no \"value\"");
    }

    @Test
    void aTagThatIsNotAStringIsRefused() {
        assertThatThrownBy(() -> StreamRules.configured("[{\"value\":\"kafka\",\"tag\":5}]", "query", null))
                .isInstanceOf(InvalidRulesException.class)
                .hasMessageContaining("X_STREAM_RULES")
                .hasMessageContaining("\"tag\" of rule 1 is not a string");
    }

    @Test
    void aRuleLongerThanXAllowsIsRefused() {
        String value = "k".repeat(1025);

        assertThatThrownBy(() -> StreamRules.configured("[{\"value\":\"" + value + "\"}]", "query", null))
                .isInstanceOf(InvalidRulesException.class)
                .hasMessageContaining("X_STREAM_RULES")
                .hasMessageContaining("rule 1 has 1025 characters")
                .hasMessageContaining("X allows 1024");
    }

    @Test
    void aRuleOfExactlyTheLongestLengthIsAccepted() {
        String value = "k".repeat(1024);

        assertThat(StreamRules.configured("[{\"value\":\"" + value + "\"}]", null, null))
                .containsExactly(new Rule(value, null));
    }

    @Test
    void aRuleThereTwiceIsRefused() {
        assertThatThrownBy(() -> StreamRules.configured(
                "[{\"value\":\"kafka\",\"tag\":\"a\"},{\"value\":\"camel\"},{\"value\":\"kafka\",\"tag\":\"b\"}]",
                "query", null))
                .isInstanceOf(InvalidRulesException.class)
                .hasMessageContaining("X_STREAM_RULES")
                .hasMessageContaining("'kafka' is there twice");
    }

    @Test
    void moreRulesThanXAllowsAreRefused() {
        assertThatThrownBy(() -> StreamRules.configured(rulesJson(1001), "query", null))
                .isInstanceOf(InvalidRulesException.class)
                .hasMessageContaining("X_STREAM_RULES")
                .hasMessageContaining("has 1001 rules")
                .hasMessageContaining("X allows 1000");
    }

    @Test
    void asManyRulesAsXAllowsAreAccepted() {
        assertThat(StreamRules.configured(rulesJson(1000), null, null)).hasSize(1000);
    }

    private String rulesJson(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> "{\"value\":\"keyword" + i + "\"}")
                .collect(Collectors.joining(",", "[", "]"));
    }

    @Test
    void theSyncModesAreReadIgnoringCase() {
        assertThat(StreamRules.sync("")).isEqualTo(Sync.REPLACE);
        assertThat(StreamRules.sync(null)).isEqualTo(Sync.REPLACE);
        assertThat(StreamRules.sync("replace")).isEqualTo(Sync.REPLACE);
        assertThat(StreamRules.sync("REPLACE")).isEqualTo(Sync.REPLACE);
        assertThat(StreamRules.sync("add")).isEqualTo(Sync.ADD);
        assertThat(StreamRules.sync(" Add ")).isEqualTo(Sync.ADD);
        assertThat(StreamRules.sync("off")).isEqualTo(Sync.OFF);
    }

    @Test
    void anUnknownSyncModeIsRefusedNamingTheVariableAndTheModes() {
        assertThatThrownBy(() -> StreamRules.sync("foo"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("X_STREAM_RULES_SYNC")
                .hasMessageContaining("foo")
                .hasMessageContaining("replace")
                .hasMessageContaining("add")
                .hasMessageContaining("off");
    }

    @Test
    void replaceDeletesAStrayRuleAndAddsTheConfiguredOnes() throws IOException {
        fake.addRule("stray rule", "other-app");

        new StreamRules(configured, Sync.REPLACE).apply(http);

        assertThat(liveRules()).containsExactlyInAnyOrderElementsOf(configured);
    }

    @Test
    void theRulesAreValidatedWithADryRunBeforeAnyChange() throws IOException {
        fake.addRule("stray rule", "other-app");

        new StreamRules(configured, Sync.REPLACE).apply(http);

        List<FakeXStream.Request> posts = posts();
        int firstDryRun = indexOf(posts, true);
        int firstChange = indexOf(posts, false);
        assertThat(firstDryRun).as("a dry-run POST in %s", posts).isNotNegative();
        assertThat(firstChange).as("a POST that changes the rules in %s", posts).isNotNegative();
        assertThat(firstDryRun).isLessThan(firstChange);
    }

    @Test
    void replaceKeepsARuleThatIsAlreadyLive() throws IOException {
        FakeXStream.Rule kafka = fake.addRule("kafka lang:en", "kafka");

        new StreamRules(configured, Sync.REPLACE).apply(http);

        assertThat(liveRules()).containsExactlyInAnyOrderElementsOf(configured);
        assertThat(fake.rules()).contains(kafka);
    }

    @Test
    void replaceSwapsALiveRuleWhoseTagDiffers() throws IOException {
        fake.addRule("camel", "old-tag");

        new StreamRules(configured, Sync.REPLACE).apply(http);

        assertThat(liveRules()).containsExactlyInAnyOrderElementsOf(configured);
    }

    @Test
    void addKeepsAStrayRuleAndAddsTheMissingOnes() throws IOException {
        fake.addRule("stray rule", "other-app");
        fake.addRule("camel", "camel");

        new StreamRules(configured, Sync.ADD).apply(http);

        assertThat(liveRules()).containsExactlyInAnyOrder(new Rule("stray rule", "other-app"),
                new Rule("kafka lang:en", "kafka"), new Rule("camel", "camel"), new Rule("#tweetstream", null));
    }

    @Test
    void offLeavesTheLiveRulesAlone() throws IOException {
        FakeXStream.Rule stray = fake.addRule("stray rule", "other-app");
        StreamRules rules = new StreamRules(configured, Sync.OFF);

        rules.apply(http);

        assertThat(fake.rules()).containsExactly(stray);
        assertThat(posts()).isEmpty();
        assertThat(rules.live()).containsOnlyKeys(stray.id());
    }

    @Test
    void aSecondApplyWithEverythingLiveChangesNothing() throws IOException {
        StreamRules rules = new StreamRules(configured, Sync.REPLACE);
        rules.apply(http);
        List<FakeXStream.Rule> afterFirst = fake.rules();
        int postsBefore = posts().size();

        rules.apply(http);

        List<FakeXStream.Request> second = posts().subList(postsBefore, posts().size());
        assertThat(second).as("POSTs of the second apply").isNotEmpty()
                .allSatisfy(post -> assertThat(post.query()).containsEntry("dry_run", "true"));
        assertThat(fake.rules()).isEqualTo(afterFirst);
    }

    @Test
    void aRuleXRefusesIsAConfigurationErrorNamingTheRuleAndXsReason() {
        fake.refuseRulesContaining("BAD");
        List<Rule> withBad = List.of(new Rule("kafka", "kafka"), new Rule("camel BAD:operator", "camel"));

        assertThatThrownBy(() -> new StreamRules(withBad, Sync.REPLACE).apply(http))
                .isInstanceOf(InvalidRulesException.class)
                .hasMessageContaining("camel BAD:operator")
                .hasMessageContaining("Reference to invalid operator 'BAD'");
        assertThat(fake.rules()).isEmpty();
        assertThat(posts()).allSatisfy(post -> assertThat(post.query()).containsEntry("dry_run", "true"));
    }

    @Test
    void aValidationRequestXRefusesWholeIsAConfigurationErrorNamingTheRule() {
        fake.enqueueRules(FakeXStream.status(400, "{\"errors\":[{\"parameters\":{\"add\":[\"camel ((\"]},\"message\":"
                + "\"Rule value 'camel ((' has unbalanced parentheses\"}],\"title\":\"Invalid Request\",\"detail\":"
                + "\"One or more parameters to your request was invalid.\",\"type\":"
                + "\"https://api.twitter.com/2/problems/invalid-request\"}", java.util.Map.of()));
        List<Rule> withBad = List.of(new Rule("kafka", "kafka"), new Rule("camel ((", "camel"));

        assertThatThrownBy(() -> new StreamRules(withBad, Sync.REPLACE).apply(http))
                .isInstanceOf(InvalidRulesException.class)
                .hasMessageContaining("X_STREAM_RULES").hasMessageContaining("'camel (('")
                .hasMessageContaining("HTTP 400").hasMessageContaining("unbalanced parentheses");
        assertThat(fake.rules()).isEmpty();
    }

    @Test
    void refusedCredentialsAreARulesApiErrorWithTheStatus() {
        fake.setToken("another-token");

        assertThatThrownBy(() -> new StreamRules(configured, Sync.REPLACE).apply(http))
                .isInstanceOfSatisfying(RulesApiException.class,
                        e -> assertThat(e.answer().status()).isEqualTo(401));
        fake.setToken(TOKEN);
        assertThat(fake.rules()).isEmpty();
    }

    @Test
    void refusedCredentialsAreARulesApiErrorEvenWhenTheRulesAreLeftAlone() {
        fake.setToken("another-token");

        assertThatThrownBy(() -> new StreamRules(configured, Sync.OFF).apply(http))
                .isInstanceOfSatisfying(RulesApiException.class,
                        e -> assertThat(e.answer().status()).isEqualTo(401));
    }

    @Test
    void theTagOfAMatchingRuleIsItsOwnTag() throws IOException {
        StreamRules rules = new StreamRules(configured, Sync.REPLACE);

        assertThat(rules.tagOf(json("{\"id\":\"123\",\"tag\":\"kafka\"}"))).isEqualTo("kafka");
    }

    @Test
    void aMatchingRuleWithoutTagIsLookedUpAmongTheLiveRules() throws IOException {
        FakeXStream.Rule stray = fake.addRule("stray rule", "other-app");
        StreamRules rules = new StreamRules(configured, Sync.ADD);
        rules.apply(http);
        String tagless = idOf("#tweetstream");
        String camel = idOf("camel");

        assertThat(rules.tagOf(json("{\"id\":\"" + camel + "\"}"))).isEqualTo("camel");
        assertThat(rules.tagOf(json("{\"id\":\"" + stray.id() + "\"}"))).isEqualTo("other-app");
        assertThat(rules.tagOf(json("{\"id\":\"" + tagless + "\"}"))).as("the value of a rule without tag")
                .isEqualTo("#tweetstream");
        assertThat(rules.tagOf(json("{\"id\":\"42\"}"))).as("an unknown rule is its id").isEqualTo("42");
    }

    @Test
    void beforeApplyARuleWithoutTagIsItsId() throws IOException {
        FakeXStream.Rule camel = fake.addRule("camel", "camel");
        StreamRules rules = new StreamRules(configured, Sync.REPLACE);

        assertThat(rules.tagOf(json("{\"id\":\"" + camel.id() + "\"}"))).isEqualTo(camel.id());
    }

    private List<Rule> liveRules() {
        return fake.rules().stream().map(rule -> new Rule(rule.value(), rule.tag())).toList();
    }

    private String idOf(String value) {
        return fake.rules().stream().filter(rule -> rule.value().equals(value)).findFirst()
                .orElseThrow(() -> new AssertionError("no live rule " + value + " in " + fake.rules())).id();
    }

    private List<FakeXStream.Request> posts() {
        return fake.requests(FakeXStream.RULES).stream().filter(request -> request.method().equals("POST")).toList();
    }

    private int indexOf(List<FakeXStream.Request> posts, boolean dryRun) {
        for (int i = 0; i < posts.size(); i++) {
            if ("true".equals(posts.get(i).query().get("dry_run")) == dryRun) {
                return i;
            }
        }
        return -1;
    }

    private static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }
}
