package io.tweetstream.source.x.cost;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import io.micrometer.core.instrument.MeterRegistry;
import io.tweetstream.MutableClock;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The answers of GET /2/usage/tweets as the x-usage route hands them over. */
class XProjectUsageTest {

    private static final CamelContext CONTEXT = new DefaultCamelContext();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T08:00:00Z"));
    private final XProjectUsage usage = new XProjectUsage(clock);

    @BeforeEach
    void setUp() {
        usage.setSource("x-v2-search");
        usage.setApiBaseUrl("https://api.x.com/2/");
    }

    @AfterAll
    static void closeContext() throws Exception {
        CONTEXT.close();
    }

    @Test
    void usageCapAndResetDayBecomeGaugesFromTheStringsXSends() {
        answer(200, "{\"data\":{\"cap_reset_day\":10,\"project_cap\":\"3000000\",\"project_id\":\"1369785403853424\","
                + "\"project_usage\":\"43435\"}}");

        MeterRegistry registry = usage.meters();
        assertThat(registry.get("tweetstream.x.usage.posts").gauge().value()).isEqualTo(43435);
        assertThat(registry.get("tweetstream.x.usage.cap").gauge().value()).isEqualTo(3_000_000);
        assertThat(registry.get("tweetstream.x.usage.cap.reset.day").gauge().value()).isEqualTo(10);
        assertThat(registry.get("tweetstream.x.usage.last.answer").gauge().value())
                .isEqualTo(clock.instant().getEpochSecond());
        assertThat(usage.details()).containsEntry("usage", "43,435").containsEntry("usageEndpoint", "OK");
    }

    @Test
    void aFailureKeepsTheLastAnswerCountsItByStatusAndNeverMakesTheSourceNotReady() {
        answer(200, body(1_000, 3_000_000));
        answer(500, "{\"title\":\"Internal Server Error\"}");
        answer(429, "{\"title\":\"Too Many Requests\"}");
        answer(200, "<html>not json</html>");
        answer(200, "{\"data\":{\"project_usage\":\"many\"}}");
        Exchange unanswered = new DefaultExchange(CONTEXT);
        unanswered.setProperty(Exchange.EXCEPTION_CAUGHT, new ConnectException("Connection refused"));
        usage.noAnswer(unanswered);

        MeterRegistry registry = usage.meters();
        assertThat(registry.get("tweetstream.x.usage.posts").gauge().value()).isEqualTo(1_000);
        assertThat(registry.get("tweetstream.x.usage.errors").tag("status", "500").counter().count()).isEqualTo(1);
        assertThat(registry.get("tweetstream.x.usage.errors").tag("status", "429").counter().count()).isEqualTo(1);
        assertThat(registry.get("tweetstream.x.usage.errors").tag("status", "200").counter().count()).isEqualTo(2);
        assertThat(registry.get("tweetstream.x.usage.errors").tag("status", "-1").counter().count()).isEqualTo(1);
        assertThat(usage.notReadyReason()).isEmpty();
        assertThat(usage.details().get("usageEndpoint")).asString().startsWith("failing: no answer")
                .contains("Connection refused");

        answer(200, body(2_000, 3_000_000));
        assertThat(registry.get("tweetstream.x.usage.posts").gauge().value()).isEqualTo(2_000);
        assertThat(usage.details()).containsEntry("usageEndpoint", "OK");
    }

    @Test
    void theRequestGoesToUsageTweetsBelowTheBaseUrl() {
        Exchange exchange = new DefaultExchange(CONTEXT);
        usage.request(exchange);
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_PATH)).isEqualTo("usage/tweets");

        usage.setApiBaseUrl("http://127.0.0.1:8089");
        usage.request(exchange);
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_PATH)).isEqualTo("2/usage/tweets");
    }

    private void answer(int status, String body) {
        Exchange exchange = new DefaultExchange(CONTEXT);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        usage.answer(exchange);
    }

    private static String body(long used, long cap) {
        return "{\"data\":{\"cap_reset_day\":17,\"project_cap\":\"" + cap + "\",\"project_usage\":\"" + used + "\"}}";
    }
}
