package io.tweetstream.deadletter;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;

import io.tweetstream.event.RejectedTweet;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * Adds the error context of a failed message as Kafka record headers of our own, documented in
 * README (Failure handling): plain UTF-8 text, numbers in decimal, so kcat and
 * kafka-console-consumer show them as they are. Camel's own {@code CamelKafka*}/{@code kafka.*}
 * headers are not written to records, so what is needed is copied from them here.
 */
public class DeadLetterHeaders implements Processor {

    /** Exchange property counting redeliveries; it outlives useOriginalMessage, unlike the header. */
    static final String REDELIVERIES_PROPERTY = "tweetstreamRedeliveries";


    public static final String ORIGINAL_TOPIC = "dlq.original.topic";
    public static final String ORIGINAL_PARTITION = "dlq.original.partition";
    public static final String ORIGINAL_OFFSET = "dlq.original.offset";
    public static final String ORIGINAL_TIMESTAMP = "dlq.original.timestamp";
    public static final String CONSUMER_GROUP = "dlq.consumer.group";
    public static final String ROUTE_ID = "dlq.route.id";
    public static final String EXCEPTION_CLASS = "dlq.exception.class";
    public static final String EXCEPTION_MESSAGE = "dlq.exception.message";
    public static final String EXCEPTION_STACKTRACE = "dlq.exception.stacktrace";
    public static final String ATTEMPTS = "dlq.attempts";
    public static final String FAILED_AT = "dlq.failed.at";
    public static final String SOURCE = "dlq.source";
    public static final String REDRIVEN_AT = "dlq.redriven.at";
    public static final String REDRIVEN_FROM = "dlq.redriven.from";

    private final Clock clock;
    private String consumerGroup = "";
    private int maxStackTraceChars = 4000;
    private int maxMessageChars = 1000;

    public DeadLetterHeaders() {
        this(Clock.systemUTC());
    }

    public DeadLetterHeaders(Clock clock) {
        this.clock = clock;
    }

    public void addErrorContext(Exchange exchange) {
        Message message = exchange.getMessage();
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        copyAsText(message, KafkaConstants.TOPIC, ORIGINAL_TOPIC);
        copyAsText(message, KafkaConstants.PARTITION, ORIGINAL_PARTITION);
        copyAsText(message, KafkaConstants.OFFSET, ORIGINAL_OFFSET);
        copyAsText(message, KafkaConstants.TIMESTAMP, ORIGINAL_TIMESTAMP);
        if (message.getHeader(KafkaConstants.TOPIC) != null) {
            message.setHeader(CONSUMER_GROUP, consumerGroup);
        }
        String routeId = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class);
        message.setHeader(ROUTE_ID, routeId != null ? routeId : String.valueOf(exchange.getFromRouteId()));
        message.setHeader(EXCEPTION_CLASS, failure != null ? failure.getClass().getName() : "unknown");
        message.setHeader(EXCEPTION_MESSAGE, bounded(failure != null ? String.valueOf(failure.getMessage()) : "",
                maxMessageChars));
        message.setHeader(EXCEPTION_STACKTRACE, failure != null ? bounded(stackTrace(failure), maxStackTraceChars) : "");
        Integer redeliveries = exchange.getProperty(REDELIVERIES_PROPERTY, Integer.class);
        if (redeliveries == null) {
            redeliveries = message.getHeader(Exchange.REDELIVERY_COUNTER, Integer.class);
        }
        message.setHeader(ATTEMPTS, Integer.toString(redeliveries == null ? 1 : redeliveries + 1));
        message.setHeader(FAILED_AT, Instant.now(clock).toString());
        // the record goes to the dead-letter topic with its original key, partitioned by it
        message.removeHeader(KafkaConstants.PARTITION_KEY);
        message.removeHeader(KafkaConstants.OVERRIDE_TOPIC);
    }

    /**
     * For a tweet a source produced but that could not be turned into an event: the value becomes
     * the tweet as the source gave it (as text), the key its id where known, and {@code dlq.source}
     * names the source.
     */
    public void addSourceContext(Exchange exchange) {
        Message message = exchange.getMessage();
        Object body = message.getBody();
        if (body instanceof twitter4j.v1.Status status) {
            message.setHeader(KafkaConstants.KEY, Long.toString(status.getId()));
        } else if (body instanceof io.tweetstream.source.x.V2Tweet tweet) {
            message.setHeader(KafkaConstants.KEY, tweet.id());
        }
        if (!(body instanceof byte[])) {
            message.setBody(String.valueOf(body).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        message.setHeader(SOURCE, String.valueOf(exchange.getProperty("tweetSource", "unknown", String.class)));
    }

    /**
     * For a tweet of a batch that could not be normalised ({@link RejectedTweet}, the body of a split
     * part): the error context of its failure and the source context of {@link #addSourceContext}.
     */
    public void addRejectedTweet(Exchange exchange) throws InvalidPayloadException {
        RejectedTweet rejected = exchange.getMessage().getMandatoryBody(RejectedTweet.class);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, rejected.cause());
        exchange.getMessage().setBody(rejected.tweet());
        addSourceContext(exchange);
    }

    /**
     * Marks a record read back from the dead-letter topic as redriven: when, and from which
     * dead-letter record ({@code topic/partition@offset}).
     */
    public void markRedriven(Exchange exchange) {
        Message message = exchange.getMessage();
        message.setHeader(REDRIVEN_AT, Instant.now(clock).toString());
        message.setHeader(REDRIVEN_FROM, message.getHeader(KafkaConstants.TOPIC) + "/"
                + message.getHeader(KafkaConstants.PARTITION) + "@" + message.getHeader(KafkaConstants.OFFSET));
    }

    /** As the error handler's {@code onRedeliveryRef}: remembers how many redeliveries were made. */
    @Override
    public void process(Exchange exchange) {
        exchange.setProperty(REDELIVERIES_PROPERTY, exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class));
    }

    private static void copyAsText(Message message, String from, String to) {
        Object value = message.getHeader(from);
        if (value != null) {
            message.setHeader(to, value.toString());
        }
    }

    private static String stackTrace(Throwable failure) {
        StringWriter out = new StringWriter();
        failure.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    private static String bounded(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "... (" + (text.length() - max) + " more chars)";
    }

    public void setConsumerGroup(String consumerGroup) {
        this.consumerGroup = consumerGroup;
    }

    public void setMaxStackTraceChars(int maxStackTraceChars) {
        this.maxStackTraceChars = maxStackTraceChars;
    }

    public void setMaxMessageChars(int maxMessageChars) {
        this.maxMessageChars = maxMessageChars;
    }
}
