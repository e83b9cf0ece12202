package io.tweetstream.source;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import io.tweetstream.MutableClock;
import io.tweetstream.source.x.cost.XPostReads;
import io.tweetstream.source.x.cost.XProjectUsage;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Readiness of the API source in use asks every status serving it: the source, the budget, X's usage. */
class ApiSourceHealthCheckTest {

    @Test
    void theBudgetMakesTheXSourceNotReadyBesideItsOwnStatusAndAFailingUsageEndpointDoesNot() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            XPostReads reads = new XPostReads(new MutableClock(Instant.parse("2026-12-02T10:00:00Z")));
            reads.setSource("x-v2-search");
            reads.setBudget("1");
            XProjectUsage usage = new XProjectUsage();
            usage.setSource("x-v2-search");
            context.getRegistry().bind("xPostReads", reads);
            context.getRegistry().bind("xProjectUsage", usage);
            context.getRegistry().bind("search", new Status(Optional.empty(), Map.of("condition", "OK")));
            ApiSourceHealthCheck check = new ApiSourceHealthCheck();
            check.setCamelContext(context);
            check.setSource("x-v2-search");

            HealthCheck.Result ready = check.call();
            assertThat(ready.getState()).isEqualTo(HealthCheck.State.UP);
            assertThat(ready.getDetails()).containsEntry("condition", "OK").containsEntry("postReadsBudget", 1L)
                    .containsEntry("usageEndpoint", "not asked yet");

            reads.read("x-v2-search", "tweets/search/recent", io.tweetstream.source.x.V2Tweet.of(
                    io.tweetstream.Tweets.v2Answer("search-page-1")));
            HealthCheck.Result paused = check.call();
            assertThat(paused.getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(paused.getMessage()).hasValueSatisfying(message -> assertThat(message)
                    .contains("X_DAILY_POST_READS_BUDGET reached").contains("2026-12-03T00:00:00Z"));
        }
    }

    /** The source's own status. */
    private record Status(Optional<String> notReadyReason, Map<String, Object> details) implements ApiSourceStatus {
        @Override
        public boolean serves(String source) {
            return "x-v2-search".equals(source);
        }
    }
}
