package io.tweetstream.twitter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.spi.ExceptionHandler;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import twitter4j.TwitterException;

/**
 * How a camel-twitter consumer behaves when the Twitter API misbehaves (its {@code pollStrategy}).
 * camel-twitter alone logs a warning and polls again at the normal delay; this strategy skips polls
 * until it is sensible to ask again:
 * <ul>
 * <li>429: until {@code x-rate-limit-reset} (or {@code Retry-After}; else the growing back-off);</li>
 * <li>5xx, time-outs, network errors and malformed responses: back-off doubling from the poll
 * delay up to {@code maxBackoff};</li>
 * <li>401/403: one clear error line (credentials or access tier refused), then a slow retry every
 * {@code refusedRetry}; {@link #state()} reports it for the health check.</li>
 * </ul>
 * Nothing is lost by skipping: the next successful poll returns what was missed (within what the
 * API keeps), and tweets-to-kafka drops what was already published.
 */
public class TwitterPollStrategy implements PollingConsumerPollStrategy, ExceptionHandler, CamelContextAware {

    /** What the last polls said about the API. */
    public enum Condition { UNKNOWN, OK, RATE_LIMITED, FAILING, REFUSED }

    /** A snapshot for health checks and metrics. */
    public record State(Condition condition, int lastStatusCode, String message, Instant lastSuccessfulPoll,
            Instant nextPollNotBefore, int consecutiveFailures) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(TwitterPollStrategy.class);

    private final Clock clock;
    private Duration initialBackoff = Duration.ofSeconds(30);
    private Duration maxBackoff = Duration.ofMinutes(15);
    private Duration refusedRetry = Duration.ofMinutes(5);

    private volatile State state = new State(Condition.UNKNOWN, 0, "no poll yet", null, Instant.EPOCH, 0);
    private final AtomicLong rateLimitRemaining = new AtomicLong(-1);
    private final AtomicLong rateLimitReset = new AtomicLong(0);
    private CamelContext camelContext;
    private MeterRegistry registry;

    public TwitterPollStrategy() {
        this(Clock.systemUTC());
    }

    public TwitterPollStrategy(Clock clock) {
        this.clock = clock;
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        return !clock.instant().isBefore(state.nextPollNotBefore());
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        State previous = state;
        if (previous.consecutiveFailures() > 0) {
            LOG.info("Twitter API answers again on {} after {} failed poll(s)", uri(endpoint),
                    previous.consecutiveFailures());
        }
        state = new State(Condition.OK, 200, "polled " + polledMessages + " tweet(s)", clock.instant(),
                Instant.EPOCH, 0);
        meters();
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        State previous = state;
        int failures = previous.consecutiveFailures() + 1;
        Instant now = clock.instant();
        TwitterException twitter = twitterException(cause);
        int status = twitter != null ? twitter.getStatusCode() : -1;
        Duration wait;
        Condition condition;
        String message;
        if (status == 429) {
            wait = rateLimitWait(twitter, now).orElse(backoff(failures));
            condition = Condition.RATE_LIMITED;
            message = "rate limit reached (HTTP 429)";
            LOG.warn("Twitter API {} on {}: next poll in {}{}", message, uri(endpoint), human(wait),
                    remaining(twitter));
        } else if (status == 401 || status == 403) {
            wait = refusedRetry;
            condition = Condition.REFUSED;
            message = "HTTP " + status + ": the Twitter API refused the credentials or the access tier";
            if (previous.condition() != Condition.REFUSED) {
                LOG.error("Twitter API refused the credentials or the access tier (HTTP {}) on {}: check"
                        + " TWITTER_CONSUMER_KEY, TWITTER_CONSUMER_SECRET, TWITTER_ACCESS_TOKEN,"
                        + " TWITTER_ACCESS_TOKEN_SECRET and that your access tier allows API v1.1 {};"
                        + " retrying every {}", status, uri(endpoint), endpoint.getEndpointBaseUri()
                                .startsWith("twitter-search") ? "search" : "timelines", human(wait));
            } else {
                LOG.debug("Twitter API still refuses access (HTTP {}) on {}", status, uri(endpoint));
            }
        } else {
            wait = backoff(failures);
            condition = Condition.FAILING;
            message = describe(twitter, cause, status);
            LOG.warn("Twitter API poll failed on {}: {}; failure {} in a row, next poll in {}", uri(endpoint),
                    message, failures, human(wait));
        }
        state = new State(condition, status, message, previous.lastSuccessfulPoll(), now.plus(wait), failures);
        MeterRegistry meters = meters();
        if (meters != null) {
            Counter.builder("tweetstream.twitter.api.errors").description("Failed Twitter API polls by HTTP status"
                    + " (-1: no HTTP answer)").tag("status", Integer.toString(status)).register(meters).increment();
        }
        if (twitter != null) {
            String remaining = header(twitter, "x-rate-limit-remaining");
            String reset = header(twitter, "x-rate-limit-reset");
            if (remaining != null && remaining.strip().matches("\\d+")) {
                rateLimitRemaining.set(Long.parseLong(remaining.strip()));
            }
            if (reset != null && reset.strip().matches("\\d+")) {
                rateLimitReset.set(Long.parseLong(reset.strip()));
            }
        }
        return false;
    }

    /**
     * As the consumer's {@code exceptionHandler}: a failed poll was already told in one line by
     * {@link #rollback}, so the consumer's own report (with a stack trace) goes to DEBUG.
     */
    @Override
    public void handleException(Throwable exception) {
        handleException(null, null, exception);
    }

    @Override
    public void handleException(String message, Throwable exception) {
        handleException(message, null, exception);
    }

    @Override
    public void handleException(String message, Exchange exchange, Throwable exception) {
        LOG.debug("{}", message != null ? message : "Twitter consumer error", exception);
    }

    /** The meters of the Twitter source, registered on first use in the application's registry. */
    private synchronized MeterRegistry meters() {
        if (registry == null && camelContext != null) {
            registry = camelContext.getRegistry().findSingleByType(MeterRegistry.class);
            if (registry != null) {
                Gauge.builder("tweetstream.twitter.last.successful.poll", this, s -> s.state().lastSuccessfulPoll() == null
                        ? 0 : s.state().lastSuccessfulPoll().getEpochSecond())
                        .description("When the Twitter API last answered a poll, epoch seconds (0: never)")
                        .register(registry);
                Gauge.builder("tweetstream.twitter.rate.limit.remaining", rateLimitRemaining, AtomicLong::get)
                        .description("x-rate-limit-remaining of the last answer that had it (-1: none yet)")
                        .register(registry);
                Gauge.builder("tweetstream.twitter.rate.limit.reset", rateLimitReset, AtomicLong::get)
                        .description("x-rate-limit-reset of the last answer that had it, epoch seconds")
                        .register(registry);
            }
        }
        return registry;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    public State state() {
        return state;
    }

    private Duration backoff(int failures) {
        long factor = 1L << Math.min(failures - 1, 20);
        Duration wait = initialBackoff.multipliedBy(factor);
        return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
    }

    private static java.util.Optional<Duration> rateLimitWait(TwitterException e, Instant now) {
        String retryAfter = header(e, "Retry-After");
        if (retryAfter != null && retryAfter.strip().matches("\\d+")) {
            return java.util.Optional.of(Duration.ofSeconds(Long.parseLong(retryAfter.strip())));
        }
        String reset = header(e, "x-rate-limit-reset");
        if (reset != null && reset.strip().matches("\\d+")) {
            Duration untilReset = Duration.between(now, Instant.ofEpochSecond(Long.parseLong(reset.strip())));
            // one second more: the reset is whole seconds and clocks differ
            return java.util.Optional.of(untilReset.isNegative() ? Duration.ofSeconds(1) : untilReset.plusSeconds(1));
        }
        if (e.getRateLimitStatus() != null && e.getRateLimitStatus().getSecondsUntilReset() > 0) {
            return java.util.Optional.of(Duration.ofSeconds(e.getRateLimitStatus().getSecondsUntilReset() + 1L));
        }
        return java.util.Optional.empty();
    }

    /**
     * A response header, whatever the case of its name. (twitter4j's own lookup is case-sensitive
     * and throws when the header is absent.)
     */
    static String header(TwitterException e, String name) {
        for (String candidate : new String[] {name, name.toLowerCase(java.util.Locale.ROOT), capitalized(name)}) {
            try {
                String value = e.getResponseHeader(candidate);
                if (value != null) {
                    return value;
                }
            } catch (RuntimeException absent) {
                // twitter4j 4.1.2 throws NullPointerException for a header the response lacks
            }
        }
        return null;
    }

    private static String capitalized(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean upper = true;
        for (char c : name.toCharArray()) {
            out.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return out.toString();
    }

    private static String human(Duration wait) {
        return wait.toMillis() < 10_000 ? wait.toMillis() + " ms" : wait.toSeconds() + " s";
    }

    private static String remaining(TwitterException e) {
        String remaining = header(e, "x-rate-limit-remaining");
        return remaining == null ? "" : " (x-rate-limit-remaining " + remaining + ")";
    }

    private static String describe(TwitterException twitter, Exception cause, int status) {
        if (twitter == null) {
            return cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
        if (twitter.isCausedByNetworkIssue()) {
            return "network error or time-out: " + twitter.getCause();
        }
        if (status >= 500) {
            return "HTTP " + status + " (server error)";
        }
        if (status == 200 || twitter.getCause() != null && twitter.getCause().getClass().getName()
                .equals("twitter4j.JSONException")) {
            return "malformed response (not the v1.1 JSON expected): " + firstLine(twitter.getMessage());
        }
        return "HTTP " + status + ": " + firstLine(twitter.getMessage());
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    private static TwitterException twitterException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TwitterException twitter) {
                return twitter;
            }
        }
        return null;
    }

    private static String uri(Endpoint endpoint) {
        return URISupport.sanitizeUri(endpoint.getEndpointBaseUri());
    }

    public void setInitialBackoffMs(long millis) {
        this.initialBackoff = Duration.ofMillis(millis);
    }

    public void setMaxBackoffMs(long millis) {
        this.maxBackoff = Duration.ofMillis(millis);
    }

    public void setRefusedRetryMs(long millis) {
        this.refusedRetry = Duration.ofMillis(millis);
    }
}
