package io.tweetstream.twitter;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness of the Twitter or X API source: DOWN while the API refuses the credentials or the access tier
 * (401/403), UP otherwise (a rate limit or a passing error is waited out, not a fault of ours). The
 * details say what the last polls saw.
 */
public class TwitterSourceHealthCheck extends AbstractHealthCheck {

    private TwitterPollStrategy pollStrategy;
    private String source = "";

    public TwitterSourceHealthCheck() {
        super("tweetstream", "twitter-source");
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("source", source);
        if (!TweetSourceSettings.isApiSource(source) || pollStrategy == null) {
            builder.message("No Twitter or X API source in use").up();
            return;
        }
        TwitterPollStrategy.State state = pollStrategy.state();
        builder.detail("condition", state.condition().name());
        builder.detail("message", state.message());
        builder.detail("lastStatusCode", state.lastStatusCode());
        builder.detail("consecutiveFailures", state.consecutiveFailures());
        if (state.lastSuccessfulPoll() != null) {
            builder.detail("lastSuccessfulPoll", state.lastSuccessfulPoll().toString());
        }
        if (state.condition() == TwitterPollStrategy.Condition.REFUSED) {
            builder.message("The " + (TweetSourceSettings.X_V2_SEARCH.equals(source) ? "X API" : "Twitter API")
                    + " refuses the credentials or the access tier: " + state.message());
            builder.down();
        } else {
            builder.up();
        }
    }

    public void setPollStrategy(TwitterPollStrategy pollStrategy) {
        this.pollStrategy = pollStrategy;
    }

    public void setSource(String source) {
        this.source = source;
    }
}
