package io.tweetstream.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Properties;

import io.tweetstream.Tweets;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.model.LogDefinition;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The kafka-to-log route file as users run it, fed directly instead of from Kafka. */
class KafkaToLogRouteTest extends CamelMainTestSupport {

    private static final String EVENT = """
            {"schemaVersion":1,"id":"1861300000000000001","createdAt":"2026-11-21T10:30:00Z",\
            "text":"今日は𝕏のテストです 🎉👩‍💻 #日本 @ada_dev ありがとう！","lang":"ja",\
            "user":{"id":"99120455","screenName":"gracehopper","name":"Grace H.","followers":1207},\
            "hashtags":["日本"],"mentions":["ada_dev"],"urls":[],"source":"sample","ingestedAt":"2026-11-25T08:00:00.123Z"}""";

    @Override
    public void configureTest(TestExecutionConfiguration configuration) {
        super.configureTest(configuration);
        configuration.withUseAdviceWith(true);
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return "file:application.properties";
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties only = new Properties();
        only.put("camel.main.routes-include-pattern", "file:routes/beans.camel.yaml,file:routes/kafka-to-log.camel.yaml");
        only.put("kafka.topics.create", "false");
        return only;
    }

    @Test
    void logsOneLinePerTweetWithItsIdAndTheEventUnchanged() throws Exception {
        AdviceWith.adviceWith(context, "kafka-to-log", route -> {
            route.replaceFromWith("direct:test-input");
            route.weaveByType(LogDefinition.class).after().to("mock:logged");
        });
        context.start();
        MockEndpoint logged = getMockEndpoint("mock:logged");
        logged.expectedMessageCount(1);
        logged.expectedVariableReceived("tweetId", "1861300000000000001");
        logged.expectedVariableReceived("author", "gracehopper");

        template.sendBody("direct:test-input", EVENT.getBytes(StandardCharsets.UTF_8));

        logged.assertIsSatisfied();
        String body = logged.getReceivedExchanges().get(0).getMessage().getBody(String.class);
        assertThat(Tweets.JSON.readTree(body)).isEqualTo(Tweets.JSON.readTree(EVENT));
    }
}
