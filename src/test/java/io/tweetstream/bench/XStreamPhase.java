package io.tweetstream.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.tweetstream.FakeXStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The stream phase: the real {@code x-v2-stream} source (routes and {@code application.properties} as
 * users run them, {@code X_STREAM_*} defaults) reading the fake X filtered stream ({@link FakeXStream},
 * on 127.0.0.1, test sources), with two rules. A publisher thread publishes posts on the fake at a
 * fixed rate, paced by {@link System#nanoTime()} deadlines (a late post is sent at once, so the rate does
 * not drift); {@link FakeXStream#publish} returns once the post is written on the stream's socket, so
 * when the app reads slower than that (its queue full: TCP backpressure), the publisher slows down and
 * the rate achieved says so.
 *
 * <p>Latency is the app's own {@value PipelineRun#X_STREAM_HANDOVER} timer (from the reader framing
 * the post's line to tweets-to-kafka done with it: Kafka acknowledged it), read in-process with exact
 * percentiles; the steady part is read before the burst starts. Posts are published once the app
 * runs: its stream open, its context started and its seda consumers polling. A post is lost when it is not on the
 * topic (a raw consumer reading every partition from the start, by record key = post id) once the
 * phase has drained.
 */
final class XStreamPhase implements AutoCloseable {

    static final String RULES = "[{\"value\":\"apachekafka -is:retweet\",\"tag\":\"kafka\"},"
            + "{\"value\":\"#apachecamel\",\"tag\":\"camel\"}]";
    private static final String[] TAGS = {"kafka", "camel"};
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Camel's seda consumers do not poll while the context is starting: each sleeps up to 1 s
     * (SedaConsumer: min(pollTimeout, 1000) ms) and looks again. The stream is read from the
     * context's start, so the posts of the app's first second may wait up to that long, once.
     */
    private static final long SEDA_START_NAP_MILLIS = 1_000;

    private final FakeXStream fake;
    private final PipelineRun run;
    private final TopicIds topic;

    private XStreamPhase(FakeXStream fake, PipelineRun run, TopicIds topic) {
        this.fake = fake;
        this.run = run;
        this.topic = topic;
    }

    /**
     * Starts the fake stream with the two rules, then the app with {@code overrides} (broker, group,
     * port) and the source's settings, and waits until the app holds the fake's stream open, its
     * context has started and its seda consumers poll.
     */
    static XStreamPhase start(Map<String, String> overrides, String bootstrapServers, String topicName)
            throws Exception {
        FakeXStream fake = new FakeXStream();
        PipelineRun run = null;
        try {
            String token = "bench-" + UUID.randomUUID();
            fake.setToken(token);
            for (var rule : new ObjectMapper().readTree(RULES)) {
                fake.addRule(rule.get("value").asText(), rule.get("tag").asText());
            }
            Map<String, String> settings = new LinkedHashMap<>(overrides);
            settings.put("kafka.topic", topicName);
            settings.put("kafka.dlq.topic", topicName + ".dlq");
            settings.put("tweets.cursors.topic", topicName + ".cursors");
            settings.put("tweets.source", "x-v2-stream");
            settings.put("x.bearer.token", token);
            settings.put("x.api-base-url", fake.baseUrl());
            settings.put("x.stream.rules", RULES);
            // the fake's posts cost nothing: no daily budget (it would pause the stream mid-phase)
            settings.put("x.daily-post-reads-budget", "0");
            // kafka-to-log is not started: this phase ends at Kafka's acknowledgement
            run = PipelineRun.start(settings, "kafka-to-log");
            PipelineRun.awaitCount(fake::openStreams, "stream connections to the fake X stream", 1,
                    Duration.ofSeconds(60));
            // measured: the app running, not its first second (see SEDA_START_NAP_MILLIS)
            PipelineRun app = run;
            PipelineRun.awaitCount(() -> app.context().getStatus().isStarted() ? 1 : 0, "Camel context started", 1,
                    Duration.ofSeconds(60));
            Thread.sleep(SEDA_START_NAP_MILLIS + 100);
            return new XStreamPhase(fake, run, new TopicIds(bootstrapServers, topicName));
        } catch (Exception | Error e) {
            if (run != null) {
                run.close();
            }
            fake.close();
            throw e;
        }
    }

    /** {@code rate} posts/s for {@code seconds}: rate achieved, p50/p99/max of the hand-over, posts lost. */
    Map<String, Object> steady(int rate, int seconds) throws Exception {
        Published published = publish(rate, seconds);
        Map<String, Object> result = drained(published);
        Timer handover = run.timer(PipelineRun.X_STREAM_HANDOVER);
        awaitHandovers(handover, published.ids.size() - ((Number) result.get("lost")).longValue());
        HistogramSnapshot snapshot = handover.takeSnapshot();
        result.put("handovers", snapshot.count());
        for (ValueAtPercentile percentile : snapshot.percentileValues()) {
            result.put(percentile.percentile() == 0.5 ? "p50Ms" : "p99Ms",
                    round(percentile.value(TimeUnit.MILLISECONDS)));
        }
        result.put("maxMs", round(snapshot.max(TimeUnit.MILLISECONDS)));
        result.put("meanMs", round(snapshot.mean(TimeUnit.MILLISECONDS)));
        System.err.printf("  received -> acknowledged by Kafka: p50 %s ms, p99 %s ms, max %s ms%n",
                result.get("p50Ms"), result.get("p99Ms"), result.get("maxMs"));
        return result;
    }

    /** The burst after the steady part: rate achieved, posts lost, mean hand-over of its posts. */
    Map<String, Object> burst(int rate, int seconds) throws Exception {
        Timer handover = run.timer(PipelineRun.X_STREAM_HANDOVER);
        long countBefore = handover.count();
        double totalBefore = handover.totalTime(TimeUnit.MILLISECONDS);
        Published published = publish(rate, seconds);
        Map<String, Object> result = drained(published);
        awaitHandovers(handover, countBefore + published.ids.size() - ((Number) result.get("lost")).longValue());
        long handovers = handover.count() - countBefore;
        result.put("handovers", handovers);
        if (handovers > 0) {
            result.put("meanMs", round((handover.totalTime(TimeUnit.MILLISECONDS) - totalBefore) / handovers));
            System.err.printf("  received -> acknowledged by Kafka: mean %s ms%n", result.get("meanMs"));
        }
        return result;
    }

    private record Published(int rate, List<String> ids, long nanos, int notStreamed) {
    }

    /** Publishes {@code rate * seconds} posts from a publisher thread of its own, alternating the two tags. */
    private Published publish(int rate, int seconds) throws InterruptedException {
        int total = Math.multiplyExact(rate, seconds);
        FutureTask<Published> task = new FutureTask<>(() -> {
            List<String> ids = new ArrayList<>(total);
            int notStreamed = 0;
            long start = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long deadline = start + (long) i * 1_000_000_000L / rate;
                for (long wait = deadline - System.nanoTime(); wait > 0; wait = deadline - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                FakeXStream.Post post = fake.publish(TAGS[i % TAGS.length]);
                ids.add(post.id());
                if (!post.streamed()) {
                    notStreamed++;
                }
            }
            long last = System.nanoTime();
            // the publisher kept up when it was done within its N slots of 1/rate s
            long nanos = Math.max(last - start, (long) total * 1_000_000_000L / rate);
            return new Published(rate, ids, nanos, notStreamed);
        });
        Thread publisher = new Thread(task, "bench-stream-publisher");
        publisher.setDaemon(true);
        publisher.start();
        try {
            return task.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("The stream phase's publisher failed: " + e.getCause(), e.getCause());
        }
    }

    /** Waits until every published post is on the topic, or the drain time-out; the phase's figures. */
    private Map<String, Object> drained(Published published) {
        long missing = topic.awaitAll(published.ids, DRAIN_TIMEOUT);
        double seconds = published.nanos / 1e9;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("requestedRatePerSec", published.rate);
        result.put("ratePerSec", round(published.ids.size() / seconds));
        result.put("posts", published.ids.size());
        result.put("seconds", round(seconds));
        result.put("notStreamed", published.notStreamed);
        result.put("lost", missing);
        System.err.printf("  %,d posts published in %.2f s: %s posts/s (asked %,d/s)%s; on Kafka %,d, lost %,d%s%n",
                published.ids.size(), seconds, result.get("ratePerSec"), published.rate,
                published.notStreamed == 0 ? "" : ", " + published.notStreamed + " not written on the stream",
                published.ids.size() - missing, missing, missing == 0 ? ""
                        : " (not on " + topic.topic + " " + DRAIN_TIMEOUT.toSeconds() + " s after the last post)");
        return result;
    }

    /** The hand-over is timed once the exchange completes, a moment after Kafka's ack: waits for it. */
    private static void awaitHandovers(Timer handover, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (handover.count() < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    @Override
    public void close() {
        try {
            topic.close();
        } finally {
            try {
                run.close();
            } finally {
                fake.close();
            }
        }
    }

    /** A raw consumer of every partition of the topic from its start, by record key (the post id). */
    private static final class TopicIds implements AutoCloseable {
        final String topic;
        private final KafkaConsumer<String, byte[]> consumer;

        TopicIds(String bootstrapServers, String topic) {
            this.topic = topic;
            Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /** Reads on until every id was seen or the time-out passed; the number of ids not seen. */
        long awaitAll(List<String> ids, Duration timeout) {
            Set<String> pending = new HashSet<>(ids);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!pending.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    pending.remove(record.key());
                }
            }
            return pending.size();
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
