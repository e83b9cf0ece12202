package io.tweetstream.source.xstream;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tweetstream.source.x.V2Tweet;
import io.tweetstream.source.x.XProblem;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of {@code x-v2-stream-source} for one line of the stream's queue: {@link #post} reads the
 * post out of the line (unknown fields ignored; a message with both {@code data} and {@code errors}
 * keeps its post; a line that is not JSON is refused, which parks it in the dead-letter topic with
 * {@code dlq.source}) and counts it per rule tag; {@link #done}, when the exchange completes however it
 * ended, tells the stream's cursor and times the hand-over (read → on Kafka).
 */
public class StreamMessages implements CamelContextAware {

    /** Exchange property holding the queue's line while the route handles it. */
    public static final String LINE_PROPERTY = "xStreamLine";
    /** Exchange property holding the post's id, once read. */
    public static final String POST_ID_PROPERTY = "xStreamPostId";
    /** Exchange property set when this exchange carries the one copy of its post in flight. */
    static final String IN_FLIGHT_PROPERTY = "xStreamInFlight";

    private static final Logger LOG = LoggerFactory.getLogger(StreamMessages.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private XFilteredStream stream;
    private CamelContext camelContext;
    private final Map<String, Counter> postsByTag = new ConcurrentHashMap<>();
    /**
     * The ids of the posts in flight: the stream delivers duplicates and gap fill finds what the stream
     * delivered, and two copies handled side by side would both pass dedup, which remembers an id only
     * once Kafka took it. The second copy is dropped here while the first is in flight.
     */
    private final Map<Long, Boolean> inFlight = new ConcurrentHashMap<>();
    private io.tweetstream.metrics.TweetMeters tweetMeters;
    private io.tweetstream.source.x.cost.XPostReads postReads = new io.tweetstream.source.x.cost.XPostReads();
    private volatile Counter unparseable;
    private volatile Timer handover;

    /** The line's post (with its rule tags), or null when the message carries none. */
    public V2Tweet post(StreamLine line, Exchange exchange) {
        exchange.setProperty(LINE_PROPERTY, line);
        V2Tweet post = line.post();
        if (post == null) {
            JsonNode message;
            try {
                message = JSON.readTree(line.text());
            } catch (IOException e) {
                message = null;
            }
            if (message == null || !message.isObject()) {
                meters();
                unparseable.increment();
                throw new IllegalArgumentException("A line of the X stream that is not a JSON object: "
                        + XProblem.excerpt(line.text()));
            }
            if (message.has("errors")) {
                LOG.debug("A post of the X stream came with errors (kept): {}", message.get("errors"));
            }
            post = V2Tweet.ofStreamMessage(message, stream.rules()::tagOf);
            if (post == null) {
                LOG.debug("A message of the X stream without a post: {}", XProblem.excerpt(line.text()));
                return null;
            }
            postReads.read(io.tweetstream.source.TweetSourceSettings.X_V2_STREAM, XFilteredStream.PATH, post);
            meters();
            for (String tag : post.matchingRules()) {
                postsByTag.computeIfAbsent(tag, t -> Counter.builder("tweetstream.x.stream.posts")
                        .description("Posts the X filtered stream delivered, by tag of the rule they matched")
                        .tag(MicrometerConstants.CAMEL_CONTEXT_TAG, camelContext.getName()).tag("tag", t)
                        .register(registry())).increment();
            }
        }
        if (V2Tweet.isTweetId(post.id())) {
            long id = Long.parseLong(post.id());
            exchange.setProperty(POST_ID_PROPERTY, id);
            if (inFlight.putIfAbsent(id, Boolean.TRUE) != null) {
                tweetMeters.duplicate(io.tweetstream.source.TweetSourceSettings.X_V2_STREAM);
                LOG.debug("Post {} is in flight already: this copy is dropped", id);
                return null;
            }
            exchange.setProperty(IN_FLIGHT_PROPERTY, Boolean.TRUE);
        }
        return post;
    }

    /** The exchange of a queued line completed (published, duplicate, parked or failed). */
    public void done(@ExchangeProperty(LINE_PROPERTY) StreamLine line, @ExchangeProperty(POST_ID_PROPERTY) Long postId,
            @ExchangeProperty(IN_FLIGHT_PROPERTY) Boolean owner) {
        if (line == null) {
            return;
        }
        if (postId != null && Boolean.TRUE.equals(owner)) {
            inFlight.remove(postId);
        }
        stream.done(line, postId == null ? 0 : postId);
        meters();
        handover.record(System.nanoTime() - line.receivedNanos(), TimeUnit.NANOSECONDS);
    }

    private void meters() {
        if (handover != null) {
            return;
        }
        synchronized (this) {
            if (handover != null) {
                return;
            }
            MeterRegistry registry = registry();
            unparseable = Counter.builder("tweetstream.x.stream.unparseable")
                    .description("Lines of the X stream that are not JSON (parked in the dead-letter topic)")
                    .tag(MicrometerConstants.CAMEL_CONTEXT_TAG, camelContext.getName()).register(registry);
            handover = Timer.builder("tweetstream.x.stream.handover")
                    .description("From reading a post off the X stream (or gap fill) to its end in tweets-to-kafka (on"
                            + " Kafka, a duplicate, or parked)")
                    .publishPercentiles(0.5, 0.99).publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(5))
                    .tag(MicrometerConstants.CAMEL_CONTEXT_TAG, camelContext.getName()).register(registry);
        }
    }

    private MeterRegistry registry() {
        return MicrometerUtils.getOrCreateMeterRegistry(camelContext.getRegistry(), MicrometerConstants.METRICS_REGISTRY_NAME);
    }

    /** The flows' meters: a copy dropped while its post is in flight counts as a duplicate. */
    public void setTweetMeters(io.tweetstream.metrics.TweetMeters tweetMeters) {
        this.tweetMeters = tweetMeters;
    }

    /** Counts each post the stream delivered (gap fill counts its own pages). */
    public void setPostReads(io.tweetstream.source.x.cost.XPostReads postReads) {
        this.postReads = postReads;
    }

    public void setStream(XFilteredStream stream) {
        this.stream = stream;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }
}
