package io.tweetstream.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Properties;

import io.tweetstream.Tweets;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.model.LogDefinition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The kafka-to-log route file as users run it, fed directly instead of from Kafka. */
class KafkaToLogRouteTest extends RouteFileTestSupport {

    private static final String EVENT = """
            {"schemaVersion":1,"id":"1861300000000000001","createdAt":"2026-11-21T10:30:00Z",\
            "text":"今日は𝕏のテストです 🎉👩‍💻 #日本 @ada_dev ありがとう！","lang":"ja",\
            "user":{"id":"99120455","screenName":"gracehopper","name":"Grace H.","followers":1207},\
            "hashtags":["日本"],"mentions":["ada_dev"],"urls":[],"source":"sample","ingestedAt":"2026-11-25T08:00:00.123Z"}""";

    @Override
    protected String[] routeFiles() {
        return new String[] {"error-handling.camel.yaml", "dead-letter.camel.yaml", "kafka-to-log.camel.yaml"};
    }

    @Override
    protected void overrides(Properties properties) {
        properties.put("errors.retry.max-redeliveries", "3");
    }

    @Test
    void anEventMissingRequiredFieldsIsParkedUnchangedWithoutRetries() throws Exception {
        adviseAndStart();
        MockEndpoint logged = getMockEndpoint("mock:logged");
        logged.expectedMessageCount(0);
        MockEndpoint dlq = getMockEndpoint("mock:dlq");
        dlq.expectedMessageCount(1);
        dlq.expectedHeaderReceived("dlq.route.id", "kafka-to-log");
        dlq.expectedHeaderReceived("dlq.attempts", "1");
        dlq.expectedHeaderReceived(KafkaConstants.KEY, "1861300000000000001");
        byte[] invalid = EVENT.replace("\"lang\":\"ja\",", "").getBytes(StandardCharsets.UTF_8);

        template.send("direct:test-input", exchange -> {
            exchange.getMessage().setHeader(KafkaConstants.KEY, "1861300000000000001");
            exchange.getMessage().setBody(invalid);
        });

        dlq.assertIsSatisfied();
        logged.assertIsSatisfied();
        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getBody(byte[].class)).isEqualTo(invalid);
        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getHeader("dlq.exception.class", String.class))
                .isEqualTo("org.apache.camel.component.jsonvalidator.JsonValidationException");
        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getHeader("dlq.exception.message", String.class))
                .contains("lang");
    }

    @Test
    void aTransientFailureIsRetriedAndTheTweetProcessedOnce() throws Exception {
        adviseAndStart();
        MockEndpoint logged = getMockEndpoint("mock:logged");
        logged.whenExchangeReceived(1, e -> {
            throw new org.apache.kafka.common.errors.TimeoutException("downstream slow");
        });
        logged.whenExchangeReceived(2, e -> {
            throw new org.apache.kafka.common.errors.TimeoutException("downstream slow");
        });
        logged.expectedMessageCount(3);
        getMockEndpoint("mock:dlq").expectedMessageCount(0);

        template.sendBody("direct:test-input", EVENT.getBytes(StandardCharsets.UTF_8));

        MockEndpoint.assertIsSatisfied(context);
    }

    @Test
    void aFailureThatOutlastsTheRetriesIsParkedWithItsAttemptCount() throws Exception {
        adviseAndStart();
        MockEndpoint logged = getMockEndpoint("mock:logged");
        logged.whenAnyExchangeReceived(e -> {
            throw new org.apache.kafka.common.errors.TimeoutException("downstream down");
        });
        MockEndpoint dlq = getMockEndpoint("mock:dlq");
        dlq.expectedMessageCount(1);
        dlq.expectedHeaderReceived("dlq.attempts", "4");
        dlq.expectedHeaderReceived("dlq.exception.class", "org.apache.kafka.common.errors.TimeoutException");
        dlq.expectedHeaderReceived("dlq.exception.message", "downstream down");

        template.sendBody("direct:test-input", EVENT.getBytes(StandardCharsets.UTF_8));

        dlq.assertIsSatisfied();
        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getBody(byte[].class))
                .isEqualTo(EVENT.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aRecordThatCannotBeParkedFailsSoItsOffsetIsNotCommitted() throws Exception {
        adviseAndStart();
        getMockEndpoint("mock:dlq").whenAnyExchangeReceived(e -> {
            throw new org.apache.kafka.common.errors.TimeoutException("dead-letter topic unreachable");
        });

        var exchange = template.send("direct:test-input", e -> e.getMessage().setBody("not json".getBytes(StandardCharsets.UTF_8)));

        assertThat(exchange.isFailed()).as("the failure reaches the Kafka consumer").isTrue();
        assertThat(exchange.getException()).hasStackTraceContaining("dead-letter topic unreachable");
        io.micrometer.core.instrument.MeterRegistry registry = context.getRegistry().findSingleByType(
                io.micrometer.core.instrument.MeterRegistry.class);
        assertThat(registry.find("tweetstream.deadletter.write.failures").counter()).isNotNull()
                .extracting(io.micrometer.core.instrument.Counter::count).isEqualTo(1.0);
    }

    @Test
    void logsOneLinePerTweetWithItsIdAndTheEventUnchanged() throws Exception {
        adviseAndStart();
        MockEndpoint logged = getMockEndpoint("mock:logged");
        logged.expectedMessageCount(1);
        logged.expectedVariableReceived("tweetId", "1861300000000000001");
        logged.expectedVariableReceived("author", "gracehopper");

        template.sendBody("direct:test-input", EVENT.getBytes(StandardCharsets.UTF_8));

        logged.assertIsSatisfied();
        org.apache.camel.Exchange line = logged.getReceivedExchanges().get(0);
        assertThat(line.getMessage().getBody()).as("read into the event type").isInstanceOf(io.tweetstream.event.TweetEvent.class);
        String json = line.getVariable("tweetJson", String.class);
        assertThat(json).as("the event as read, what the line shows").isEqualTo(EVENT);
    }

    /** Input from direct: instead of Kafka; what is logged and what is dead-lettered, mocked. */
    private void adviseAndStart() throws Exception {
        AdviceWith.adviceWith(context, "kafka-to-log", route -> route.replaceFromWith("direct:test-input"));
        AdviceWith.adviceWith(context, "process-tweet",
                route -> route.weaveByType(LogDefinition.class).after().to("mock:logged"));
        AdviceWith.adviceWith(context, "dead-letter", route -> route.weaveByToUri("kafka:*").replace().to("mock:dlq"));
        context.start();
    }
}
