package io.tweetstream.source.x.cost;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.tweetstream.metrics.AppMeters;
import io.tweetstream.source.ApiSourceStatus;
import io.tweetstream.source.SourceSetting;
import io.tweetstream.source.TweetSourceSettings;
import io.tweetstream.source.x.XApiPath;
import io.tweetstream.source.x.XProblem;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The project's usage as X counts it, from {@code GET /2/usage/tweets} (route {@code x-usage}):
 * {@code data.project_usage} (posts read this billing cycle), {@code data.project_cap} (the monthly
 * cap) and {@code data.cap_reset_day} become gauges; one WARN line when the usage reaches 80 % of the
 * cap, one when it reaches the cap (again only after a new cycle went below 80 %).
 *
 * <p>The endpoint is only looked at: an error answer, a 429, no answer or a body that is not the JSON
 * expected is one WARN line per streak of failures and a count by status, the gauges keep the last
 * answer, and the sources go on as they were.
 */
public class XProjectUsage implements ApiSourceStatus, CamelContextAware {

    /** The path of the usage endpoint, below X_API_BASE_URL. */
    public static final String PATH = "usage/tweets";
    /** The share of the cap at which the WARN line is written. */
    static final double NEAR_CAP = 0.8;

    private static final Logger LOG = LoggerFactory.getLogger(XProjectUsage.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final Map<Integer, Counter> errors = new ConcurrentHashMap<>();
    private CamelContext camelContext;
    private volatile MeterRegistry registry;
    private String source = "";
    private String apiBaseUrl = "https://api.x.com/2/";

    // what X said last
    private volatile double usage = Double.NaN;
    private volatile double cap = Double.NaN;
    private volatile double capResetDay = Double.NaN;
    private volatile Instant lastAnswer;
    private volatile String failing;
    private boolean nearWarned;
    private boolean reachedWarned;

    public XProjectUsage() {
        this(Clock.systemUTC());
    }

    public XProjectUsage(Clock clock) {
        this.clock = clock;
    }

    /** Prepares the request: the path below X_API_BASE_URL, no body. The bearer token is added by {@code XApiClient}. */
    public void request(Exchange exchange) {
        Message message = exchange.getMessage();
        message.setHeader(Exchange.HTTP_PATH, path());
        message.setBody(null);
    }

    /** Reads X's answer. */
    public synchronized void answer(Exchange exchange) {
        Message message = exchange.getMessage();
        Integer code = message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        int status = code == null ? -1 : code;
        byte[] body = message.getBody(byte[].class);
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        message.setBody(null);
        JsonNode answer = parse(text);
        if (status != 200) {
            failed(status, "HTTP " + status + (status == 429 ? " (rate limit: 50 requests per 15 minutes)" : "")
                    + describe(XProblem.of(answer, text)));
            return;
        }
        JsonNode data = answer == null ? null : answer.get("data");
        Double used = number(data, "project_usage");
        Double capped = number(data, "project_cap");
        if (used == null || capped == null) {
            failed(200, "malformed answer (no data.project_usage and data.project_cap): " + XProblem.excerpt(text));
            return;
        }
        Double resetDay = number(data, "cap_reset_day");
        succeeded(used, capped, resetDay == null ? Double.NaN : resetDay);
    }

    /** The request went unanswered (network error, time-out). */
    public synchronized void noAnswer(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        failed(-1, "no answer (network error or time-out): "
                + (cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage()));
    }

    private void succeeded(double used, double capped, double resetDay) {
        if (failing != null) {
            LOG.info("X usage endpoint {} answers again", where());
        }
        failing = null;
        usage = used;
        cap = capped;
        capResetDay = resetDay;
        lastAnswer = clock.instant();
        meters();
        double share = capped > 0 ? used / capped : 0;
        if (share < NEAR_CAP) {
            nearWarned = false;
            reachedWarned = false;
        } else if (share >= 1 && !reachedWarned) {
            LOG.warn("X usage cap reached: {} of {} post reads this billing cycle (X's cap_reset_day {}): X refuses post"
                    + " reads until the cap resets or is raised in the developer portal", whole(used), whole(capped),
                    whole(resetDay));
            reachedWarned = true;
            nearWarned = true;
        } else if (!nearWarned) {
            LOG.warn("X usage at {} % of the cap: {} of {} post reads this billing cycle (X's cap_reset_day {}); at the"
                    + " cap X refuses post reads until it resets", String.format(Locale.ROOT, "%.0f", share * 100),
                    whole(used), whole(capped), whole(resetDay));
            nearWarned = true;
        }
    }

    private void failed(int status, String what) {
        meters();
        errors.computeIfAbsent(status, s -> Counter.builder("tweetstream.x.usage.errors")
                .description("Failed polls of the X usage endpoint (GET /2/usage/tweets) by HTTP status (-1: no answer)")
                .tags(contextTag()).tag("status", Integer.toString(s)).register(registry)).increment();
        if (failing == null) {
            LOG.warn("X usage endpoint {} failed: {}; the usage gauges keep X's last answer{}, the sources go on (told"
                    + " again once it answers)", where(), what, lastAnswer == null ? " (none yet)" : " (" + lastAnswer + ")");
        }
        failing = what;
    }

    private static Double number(JsonNode data, String field) {
        JsonNode value = data == null ? null : data.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isNumber()) {
            return value.asDouble();
        }
        try {
            // X sends project_usage and project_cap as strings
            return Double.valueOf(value.asText().strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String whole(double value) {
        return Double.isNaN(value) ? "?" : String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String describe(String problem) {
        return problem.isEmpty() ? "" : ": " + problem;
    }

    private static JsonNode parse(String text) {
        try {
            return text == null || text.isBlank() ? null : JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    String path() {
        return XApiPath.below(apiBaseUrl, PATH);
    }

    private String where() {
        return (apiBaseUrl.endsWith("/") ? apiBaseUrl : apiBaseUrl + "/") + path();
    }

    /** Registers the gauges once (the app's registry; one of its own without a Camel context). */
    synchronized MeterRegistry meters() {
        if (registry != null) {
            return registry;
        }
        MeterRegistry meters = AppMeters.registry(camelContext);
        Gauge.builder("tweetstream.x.usage.posts", this, u -> u.usage).tags(contextTag())
                .description("X's count of the project's post reads this billing cycle (GET /2/usage/tweets project_usage)")
                .register(meters);
        Gauge.builder("tweetstream.x.usage.cap", this, u -> u.cap).tags(contextTag())
                .description("The project's monthly cap of post reads (project_cap)").register(meters);
        Gauge.builder("tweetstream.x.usage.cap.reset.day", this, u -> u.capResetDay).tags(contextTag())
                .description("X's cap_reset_day: when the cap resets, as X sends it").register(meters);
        Gauge.builder("tweetstream.x.usage.last.answer", this, u -> u.lastAnswer == null ? Double.NaN
                        : u.lastAnswer.getEpochSecond()).tags(contextTag())
                .description("When the X usage endpoint last answered, epoch seconds").register(meters);
        registry = meters;
        return meters;
    }

    private List<Tag> contextTag() {
        return AppMeters.contextTag(camelContext);
    }

    @Override
    public boolean serves(String candidate) {
        return TweetSourceSettings.isXSource(candidate) && candidate.equals(source);
    }

    /** The usage endpoint is looked at, never waited for: readiness does not depend on it. */
    @Override
    public Optional<String> notReadyReason() {
        return Optional.empty();
    }

    @Override
    public Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        if (lastAnswer != null) {
            details.put("usage", whole(usage));
            details.put("usageCap", whole(cap));
            details.put("usageAnsweredAt", lastAnswer.toString());
        }
        String problem = failing;
        details.put("usageEndpoint", problem == null ? (lastAnswer == null ? "not asked yet" : "OK") : "failing: " + problem);
        return details;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    public void setSource(String source) {
        this.source = source == null ? "" : source.strip();
    }

    /** Checked at start-up: the x-usage route's timer period (X_USAGE_POLL_INTERVAL_MS). */
    public void setPollIntervalMs(String value) {
        SourceSetting.number("X_USAGE_POLL_INTERVAL_MS", value, 1, "milliseconds");
    }

    public void setApiBaseUrl(String apiBaseUrl) {
        this.apiBaseUrl = apiBaseUrl == null ? "" : apiBaseUrl.strip();
    }
}
