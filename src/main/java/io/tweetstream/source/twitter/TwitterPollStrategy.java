package io.tweetstream.source.twitter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tweetstream.source.ApiSourceStatus;
import io.tweetstream.source.Backoff;
import io.tweetstream.source.RateLimitHeaders;
import io.tweetstream.source.TweetSourceSettings;
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
 * How a Twitter API source behaves when the API misbehaves. camel-twitter's consumers use it as their
 * {@code pollStrategy} (camel-twitter alone logs a warning and polls again at the normal delay); the
 * X API v2 source ({@code x-v2-search}) reports each answer to it through {@link #succeeded} and
 * {@link #failed} and asks {@link #isDue()} before it polls. Either way, polls are skipped until it
 * is sensible to ask again:
 * <ul>
 * <li>429: until {@code x-rate-limit-reset} (or {@code Retry-After}; else the growing back-off);
 * also after a success that used the last request of the window ({@code x-rate-limit-remaining: 0});</li>
 * <li>5xx, time-outs, network errors and malformed responses: back-off doubling from the poll
 * delay up to {@code maxBackoff};</li>
 * <li>401/403: one clear error line (credentials or access tier refused, naming the variables to
 * check), then a slow retry every {@code refusedRetry}; {@link #state()} reports it for the health
 * check.</li>
 * </ul>
 * Nothing is lost by skipping: the next successful poll returns what was missed (within what the
 * API keeps), and tweets-to-kafka drops what was already published.
 */
public class TwitterPollStrategy implements PollingConsumerPollStrategy, ExceptionHandler, CamelContextAware,
        ApiSourceStatus {

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
    private String source = "";

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
        return isDue();
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        succeeded(uri(endpoint), polledMessages, name -> null);
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        TwitterException twitter = twitterException(cause);
        int status = twitter != null ? twitter.getStatusCode() : -1;
        UnaryOperator<String> headers = twitter != null ? name -> header(twitter, name) : name -> null;
        Duration rateLimitStatusWait = twitter != null && twitter.getRateLimitStatus() != null
                && twitter.getRateLimitStatus().getSecondsUntilReset() > 0
                ? Duration.ofSeconds(twitter.getRateLimitStatus().getSecondsUntilReset() + 1L) : null;
        String refusedAdvice = twitterAdvice(!endpoint.getEndpointBaseUri().startsWith("twitter-search"));
        String description = status == 401 || status == 403 ? null : describe(twitter, cause, status);
        recordFailure("Twitter API", uri(endpoint), status, headers, description, refusedAdvice, rateLimitStatusWait);
        return false;
    }

    /** Whether the next poll may go out now (no back-off, rate-limit wait or refused-retry wait pending). */
    public boolean isDue() {
        return !clock.instant().isBefore(state.nextPollNotBefore());
    }

    /**
     * A request to {@code where} was answered: the source is healthy again. When the answer's
     * {@code x-rate-limit-remaining} is 0, the next poll waits for its {@code x-rate-limit-reset}.
     *
     * @param headers the answer's headers by name (null when absent)
     */
    public void succeeded(String where, int polled, UnaryOperator<String> headers) {
        State previous = state;
        if (previous.consecutiveFailures() > 0) {
            LOG.info("{} answers again on {} after {} failed poll(s)", api(), where, previous.consecutiveFailures());
        }
        Instant now = clock.instant();
        Long remaining = recordRateLimit(headers);
        Instant notBefore = Instant.EPOCH;
        String message = "polled " + polled + " tweet(s)";
        if (remaining != null && remaining == 0) {
            Duration untilReset = untilReset(headers, now).orElse(null);
            if (untilReset != null) {
                notBefore = now.plus(untilReset);
                message += "; rate limit used up until its reset";
                LOG.info("{} rate limit used up on {} (x-rate-limit-remaining 0): next request in {}, after the"
                        + " reset", api(), where, Backoff.describe(untilReset));
            }
        }
        state = new State(Condition.OK, 200, message, now, notBefore, 0);
        meters();
    }

    /**
     * A request to {@code where} failed: HTTP {@code status} ({@code -1}: no HTTP answer), what was
     * wrong in {@code description} (never a secret). Decides the next poll's time, logs one line and
     * counts the failure.
     *
     * @param headers the answer's headers by name (null when absent)
     */
    public void failed(String where, int status, UnaryOperator<String> headers, String description) {
        recordFailure(api(), where, status, headers, description, refusedAdvice(), null);
    }

    private void recordFailure(String api, String where, int status, UnaryOperator<String> headers,
            String description, String refusedAdvice, Duration rateLimitFallback) {
        State previous = state;
        int failures = previous.consecutiveFailures() + 1;
        Instant now = clock.instant();
        Duration wait;
        Condition condition;
        String message;
        if (status == 429) {
            wait = rateLimitWait(headers, now).or(() -> java.util.Optional.ofNullable(rateLimitFallback))
                    .orElse(backoff(failures));
            condition = Condition.RATE_LIMITED;
            message = "rate limit reached (HTTP 429)";
            String remaining = headers.apply("x-rate-limit-remaining");
            LOG.warn("{} {} on {}: next poll in {}{}", api, message, where, Backoff.describe(wait),
                    remaining == null ? "" : " (x-rate-limit-remaining " + remaining + ")");
        } else if (status == 401 || status == 403) {
            wait = refusedRetry;
            condition = Condition.REFUSED;
            message = "HTTP " + status + ": the " + api + " refused the credentials or the access tier";
            if (previous.condition() != Condition.REFUSED) {
                LOG.error("{} refused the credentials or the access tier (HTTP {}) on {}: {}{}; retrying every {}",
                        api, status, where, refusedAdvice, description == null || description.isBlank() ? ""
                                : " (the API says: " + description + ")", Backoff.describe(wait));
            } else {
                LOG.debug("{} still refuses access (HTTP {}) on {}", api, status, where);
            }
        } else {
            wait = backoff(failures);
            condition = Condition.FAILING;
            message = description;
            LOG.warn("{} poll failed on {}: {}; failure {} in a row, next poll in {}", api, where, message, failures,
                    Backoff.describe(wait));
        }
        state = new State(condition, status, message, previous.lastSuccessfulPoll(), now.plus(wait), failures);
        MeterRegistry meters = meters();
        if (meters != null) {
            Counter.builder("tweetstream.twitter.api.errors").description("Failed Twitter API polls by HTTP status"
                    + " (-1: no HTTP answer)").tag("status", Integer.toString(status)).register(meters).increment();
        }
        recordRateLimit(headers);
    }

    /** Keeps the answer's rate-limit headers for the gauges; returns x-rate-limit-remaining if sent. */
    private Long recordRateLimit(UnaryOperator<String> headers) {
        Long remaining = number(headers.apply("x-rate-limit-remaining"));
        Long reset = number(headers.apply("x-rate-limit-reset"));
        if (remaining != null) {
            rateLimitRemaining.set(remaining);
        }
        if (reset != null) {
            rateLimitReset.set(reset);
        }
        return remaining;
    }

    private static Long number(String header) {
        return RateLimitHeaders.number(header);
    }

    private String api() {
        return isXApi() ? "X API" : "Twitter API";
    }

    private boolean isXApi() {
        return TweetSourceSettings.X_V2_SEARCH.equals(source);
    }

    /** What to check when the API refuses access, by source. */
    private String refusedAdvice() {
        if (isXApi()) {
            return "check X_BEARER_TOKEN (the bearer token of an app in a Project) and that your access tier"
                    + " includes API v2 recent search (GET /2/tweets/search/recent)";
        }
        return twitterAdvice("twitter-timeline".equals(source));
    }

    private static String twitterAdvice(boolean timelines) {
        return "check TWITTER_CONSUMER_KEY, TWITTER_CONSUMER_SECRET, TWITTER_ACCESS_TOKEN,"
                + " TWITTER_ACCESS_TOKEN_SECRET and that your access tier allows API v1.1 "
                + (timelines ? "timelines" : "search");
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

    @Override
    public boolean serves(String source) {
        return source != null && source.equals(this.source) && !TweetSourceSettings.X_V2_STREAM.equals(source);
    }

    @Override
    public java.util.Optional<String> notReadyReason() {
        State current = state;
        if (current.condition() != Condition.REFUSED) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("The " + api() + " refuses the credentials or the access tier: " + current.message());
    }

    @Override
    public java.util.Map<String, Object> details() {
        State current = state;
        java.util.Map<String, Object> details = new java.util.LinkedHashMap<>();
        details.put("condition", current.condition().name());
        details.put("message", current.message());
        details.put("lastStatusCode", current.lastStatusCode());
        details.put("consecutiveFailures", current.consecutiveFailures());
        if (current.lastSuccessfulPoll() != null) {
            details.put("lastSuccessfulPoll", current.lastSuccessfulPoll().toString());
        }
        return details;
    }

    private Duration backoff(int failures) {
        return Backoff.exponential(initialBackoff, failures, maxBackoff);
    }

    private static java.util.Optional<Duration> rateLimitWait(UnaryOperator<String> headers, Instant now) {
        return RateLimitHeaders.rateLimitWait(headers, now);
    }

    private static java.util.Optional<Duration> untilReset(UnaryOperator<String> headers, Instant now) {
        return RateLimitHeaders.untilReset(headers, now);
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

    /** The source in use ({@code TWEETS_SOURCE}): names the API and the variables in messages. */
    public void setSource(String source) {
        this.source = source == null ? "" : source;
    }
}
