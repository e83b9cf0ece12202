package io.tweetstream.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.tweetstream.event.TweetEvent;
import io.tweetstream.event.TweetJson;
import io.tweetstream.event.TweetNormalizer;
import io.tweetstream.kafka.EmbeddedKafkaBroker;
import io.tweetstream.kafka.KafkaTopics;
import io.tweetstream.source.sample.SampleTweetSource;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.util.FileUtil;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.ProducerConfig;
import twitter4j.v1.Status;

/**
 * {@code bench/run}: our routes against raw Kafka clients and two anchors (hand-written kafka-clients
 * code doing the routes' work, {@link HandWrittenClients}; Kafka Connect standalone with the file
 * connectors, {@link KafkaConnectStandalone}, a JVM of its own) on one fresh embedded broker, in one
 * run, in this order: raw producer, ingest route, hand-written ingest, Connect source, raw consumer,
 * consume route, hand-written consumer, Connect sink, end-to-end latency at 1,000/s and at 10,000/s,
 * the x-v2-stream source against the fake X filtered stream (a steady rate, then a burst); then the
 * memory check in a JVM of its own. Prints a table and writes {@code target/bench/results.json}.
 *
 * <p>The benchmark lives in the test sources (it is not part of the product jar): bench/run runs it
 * with {@code target/test-classes} and {@code target/tweetstream.jar} on the class path, so it can
 * use the test sources' {@link io.tweetstream.FakeXStream}.
 *
 * <p>The routes are the files under {@code routes/} with {@code application.properties}, exactly as
 * {@code java -jar target/tweetstream.jar} runs them; only the source's rate and limit, topic and
 * group names are overridden. Progress and results go to standard error, the application's own log
 * to standard output (bench/run keeps it in {@code target/bench/app.log}).
 */
public final class Benchmark {

    private static final PrintStream OUT = System.err;
    private static final String PUBLISHED = "tweetstream.tweets.published";
    private static final String CONSUMED = "tweetstream.tweets.consumed";
    private static final String DUPLICATES = "tweetstream.tweets.duplicates";

    private final BenchOptions options;
    private final Map<String, Object> results = new LinkedHashMap<>();
    private EmbeddedKafkaBroker broker;
    private Map<String, String> producerSettings;
    private long phaseCpuNanos;
    private long phaseWallNanos;
    private long phaseAllocatedBytes;
    private jdk.jfr.Recording recording;

    private Benchmark(BenchOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            boolean help = "help".equals(e.getMessage());
            if (!help) {
                OUT.println("bench/run: " + e.getMessage());
            }
            OUT.println(BenchOptions.USAGE);
            System.exit(help ? 0 : 2);
            return;
        }
        int exit = new Benchmark(options).run();
        org.apache.logging.log4j.LogManager.shutdown();
        System.exit(exit);
    }

    private int run() throws Exception {
        Files.createDirectories(options.outputDir());
        Path dataDir = options.outputDir().resolve("kafka");
        FileUtil.removeDir(dataDir.toFile());
        Map<String, String> settings = settings();
        int partitions = Integer.parseInt(settings.get("kafka.topic.partitions"));
        results.put("startedAt", Instant.now().toString());
        results.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
                "java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                "maxHeapMb", Runtime.getRuntime().maxMemory() >> 20));
        results.put("records", options.records());
        results.put("warmupRecords", options.warmup());
        try {
            broker = EmbeddedKafkaBroker.start("127.0.0.1", 0, dataDir, partitions);
            rawProducer(settings, partitions);
            ingestRoute("ingestRoute", true);
            ingestRoute("ingestRouteNoTransactions", false);
            handWrittenIngest(settings, partitions);
            Object connect = KafkaConnectStandalone.locate(options.outputDir().resolve("connect"),
                    broker.bootstrapServers());
            connectSource(connect, partitions);
            rawConsumer();
            consumeRoute();
            handWrittenConsumer();
            connectSink(connect);
            endToEnd("endToEnd", options.rate(), "bench-e2e", TOPIC + ".e2e");
            endToEnd("endToEnd10k", options.fastRate(), "bench-e2e10k", TOPIC + ".e2e10k");
            memoryAfterRun();
            if (options.stream()) {
                xStream();
            }
        } finally {
            if (broker != null) {
                broker.stop();
            }
        }
        if (options.memoryCheck()) {
            results.put("memoryCheck", MemoryCheck.runInOwnJvm(options));
        }
        results.put("targetsMet", ResultsTable.targetsMet(results));
        Path json = options.outputDir().resolve("results.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), results);
        String table = ResultsTable.render(results);
        Files.writeString(options.outputDir().resolve("results.md"), table, StandardCharsets.UTF_8);
        OUT.println();
        OUT.println(table);
        OUT.println("Results in " + json);
        return options.strict() && !ResultsTable.targetsMet(results) ? 3 : 0;
    }

    /** 1. raw producer: the exact bytes the route produces for the sample tweets, same producer settings. */
    private void rawProducer(Map<String, String> settings, int partitions) throws Exception {
        phase("raw producer");
        int total = options.warmup() + options.records();
        List<String> keys = new ArrayList<>(total);
        List<byte[]> values = new ArrayList<>(total);
        sampleEvents(total, keys, values);
        long bytes = values.stream().mapToLong(v -> v.length).sum();
        results.put("eventBytesAvg", Math.round((double) bytes / values.size()));
        String topic = "bench.raw-producer";
        KafkaTopics.createMissing(broker.bootstrapServers(), Map.of(topic, partitions));
        Map<String, String> producer = Map.of(
                ProducerConfig.ACKS_CONFIG, settings.get("kafka.producer.acks"),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, settings.get("kafka.producer.idempotence"),
                ProducerConfig.LINGER_MS_CONFIG, settings.get("kafka.producer.linger-ms"),
                ProducerConfig.BATCH_SIZE_CONFIG, settings.get("kafka.producer.batch-size"),
                ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.get("kafka.producer.compression"),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, settings.get("kafka.producer.delivery-timeout-ms"));
        results.put("producerSettings", producer);
        producerSettings = producer;
        long nanos = RawKafkaClients.produce(broker.bootstrapServers(), topic, producer, keys, values,
                options.warmup(), this::timingFromHere);
        keys.clear();
        values.clear();
        stopRecording("raw-producer");
        results.put("rawProducer", throughput(options.records(), nanos));
    }

    /**
     * 2. ingest route: the sample source at unlimited rate through tweets-to-kafka, until the last ack;
     * with exactly-once publishing (a transaction per batch, the default) and without it.
     */
    private void ingestRoute(String field, boolean exactlyOnce) throws Exception {
        phase("ingest route (sample-source -> tweets-to-kafka), " + (exactlyOnce ? "exactly once" : "no transactions"));
        Map<String, String> overrides = overrides("bench-ingest");
        overrides.put("tweets.exactly-once", Boolean.toString(exactlyOnce));
        if (!exactlyOnce) {
            overrides.put("kafka.topic", TOPIC + ".no-transactions");
        }
        overrides.put("tweets.source", "sample");
        overrides.put("tweets.sample.rate", "0");
        int total = options.warmup() + options.records();
        overrides.put("tweets.sample.limit", Integer.toString(total));
        try (PipelineRun run = PipelineRun.start(overrides, "sample-source", "kafka-to-log")) {
            run.startRoutes("sample-source");
            long started = run.awaitCount(PUBLISHED, options.warmup(), timeoutFor(options.warmup()));
            timingFromHere();
            long done = run.awaitCount(PUBLISHED, total, timeoutFor(options.records()));
            stopRecording(exactlyOnce ? "ingest-route" : "ingest-route-no-transactions");
            results.put(field, throughput(options.records(), done - started));
            if (run.count(DUPLICATES) > 0 || run.count(PUBLISHED) != total) {
                throw new IllegalStateException("The ingest route published " + run.count(PUBLISHED) + " records and "
                        + "dropped " + run.count(DUPLICATES) + " as duplicates; expected exactly " + total);
            }
        }
        if (exactlyOnce) {
            ratio("ingestRatio", "ingestRoute", "rawProducer");
        }
    }

    /**
     * 2b. hand-written ingest: the ingest route's work in plain kafka-clients code (HandWrittenClients),
     * the same sample tweets with fresh ids, the same dedup repository, the same producer settings.
     */
    private void handWrittenIngest(Map<String, String> settings, int partitions) throws Exception {
        phase("hand-written ingest (sample source -> normalise -> dedup -> KafkaProducer)");
        String topic = "bench.hand-written-ingest";
        KafkaTopics.createMissing(broker.bootstrapServers(), Map.of(topic, partitions));
        long nanos = HandWrittenClients.ingest(broker.bootstrapServers(), topic,
                Integer.parseInt(settings.get("tweets.dedup.cache-size")),
                Integer.parseInt(settings.get("tweets.sample.max-batch")),
                Boolean.parseBoolean(settings.get("tweets.exactly-once")), producerSettings, options.warmup(),
                options.records(), this::timingFromHere);
        stopRecording("hand-written-ingest");
        results.put("handWrittenIngest", throughput(options.records(), nanos));
        ratio("ingestVsHandWritten", "ingestRoute", "handWrittenIngest");
    }

    /**
     * 2c. Kafka Connect standalone, FileStreamSource: a file of the raw producer's events (the bytes the
     * route writes), one a line, to a fresh topic with the route's producer settings.
     */
    private void connectSource(Object connect, int partitions) throws Exception {
        phase("Kafka Connect standalone: FileStreamSource (file -> topic)");
        Map<String, Object> settings = new LinkedHashMap<>(KafkaConnectStandalone.SETTINGS);
        producerSettings.forEach((key, value) -> settings.put("producer." + key, value));
        results.put("connectSettings", settings);
        if (connect instanceof KafkaConnectStandalone standalone) {
            try {
                int total = options.warmup() + options.records();
                List<String> keys = new ArrayList<>(total);
                List<byte[]> values = new ArrayList<>(total);
                sampleEvents(total, keys, values);
                String topic = "bench.connect-source";
                KafkaTopics.createMissing(broker.bootstrapServers(), Map.of(topic, partitions));
                results.put("connectSource", standalone.source(values, topic, producerSettings, options.warmup(),
                        timeoutFor(total)));
            } catch (Exception e) {
                skipped("connectSource", "failed: " + e.getMessage());
            }
        } else {
            skipped("connectSource", connect.toString());
        }
        ratio("ingestVsConnect", "ingestRoute", "connectSource");
    }

    /** 3. raw consumer: the records the ingest route published. */
    private void rawConsumer() {
        phase("raw consumer");
        long nanos = RawKafkaClients.consume(broker.bootstrapServers(), TOPIC, options.warmup(), options.records(),
                timeoutFor(options.records()), this::timingFromHere);
        stopRecording("raw-consumer");
        results.put("rawConsumer", throughput(options.records(), nanos));
    }

    /** 4. consume route: kafka-to-log over the same records, from its first record to its last. */
    private void consumeRoute() throws Exception {
        phase("consume route (kafka-to-log)");
        Map<String, String> overrides = overrides("bench-consume");
        overrides.put("tweets.source", "none");
        try (PipelineRun run = PipelineRun.start(overrides, "kafka-to-log")) {
            run.startRoutes("kafka-to-log");
            // from the first record after the warm-up (or the first record: the group join is not timed)
            long first = run.awaitCount(CONSUMED, Math.max(1, options.warmup()), timeoutFor(options.warmup()));
            timingFromHere();
            long done = run.awaitCount(CONSUMED, options.warmup() + options.records(), timeoutFor(options.records()));
            stopRecording("consume-route");
            results.put("consumeRoute", throughput(options.records() - (options.warmup() == 0 ? 1 : 0), done - first));
        }
        ratio("consumeRatio", "consumeRoute", "rawConsumer");
    }

    /**
     * 4b. hand-written consumer: the consume route's work in plain kafka-clients code (HandWrittenClients)
     * over the same records, timed the same way.
     */
    private void handWrittenConsumer() throws Exception {
        phase("hand-written consumer (KafkaConsumer -> parse, validate, bind -> count -> log -> commitSync)");
        long nanos = HandWrittenClients.consume(broker.bootstrapServers(), TOPIC, "bench-hand-written-consumer",
                options.warmup(), options.records(), timeoutFor(options.records()), this::timingFromHere);
        stopRecording("hand-written-consumer");
        results.put("handWrittenConsumer", throughput(options.records() - (options.warmup() == 0 ? 1 : 0), nanos));
        ratio("consumeVsHandWritten", "consumeRoute", "handWrittenConsumer");
    }

    /** 4c. Kafka Connect standalone, FileStreamSink: the records the ingest route published, to a file. */
    private void connectSink(Object connect) {
        phase("Kafka Connect standalone: FileStreamSink (topic -> file)");
        if (connect instanceof KafkaConnectStandalone standalone) {
            try {
                long total = options.warmup() + options.records();
                results.put("connectSink", standalone.sink(TOPIC, options.warmup(), total, timeoutFor(total)));
            } catch (Exception e) {
                skipped("connectSink", "failed: " + e.getMessage());
            }
        } else {
            skipped("connectSink", connect.toString());
        }
        ratio("consumeVsConnect", "consumeRoute", "connectSink");
    }

    private void skipped(String phase, String reason) {
        OUT.println("  skipped: " + reason);
        results.put(phase, Map.of("skipped", reason));
    }

    /** 5. end-to-end latency, ingestedAt to consumed, at a fixed rate with both flows running. */
    private void endToEnd(String name, int rate, String group, String topic) throws Exception {
        int total = rate * options.seconds();
        phase("end-to-end latency: " + rate + " tweets/s for " + options.seconds() + " s");
        Map<String, String> overrides = overrides(group);
        overrides.put("kafka.topic", topic);
        overrides.put("kafka.dlq.topic", topic + ".dlq");
        overrides.put("tweets.source", "sample");
        overrides.put("tweets.sample.rate", Integer.toString(rate));
        overrides.put("tweets.sample.limit", Integer.toString(total));
        try (PipelineRun run = PipelineRun.start(overrides, "sample-source")) {
            awaitConsumerAssigned(group);
            run.startRoutes("sample-source");
            run.awaitCount(CONSUMED, total, Duration.ofSeconds(options.seconds() + 120L));
            Timer latency = run.freshnessIngested();
            Map<String, Object> endToEnd = new LinkedHashMap<>();
            endToEnd.put("ratePerSec", rate);
            endToEnd.put("seconds", options.seconds());
            endToEnd.put("records", latency.count());
            for (ValueAtPercentile percentile : latency.takeSnapshot().percentileValues()) {
                String field = percentile.percentile() == 0.5 ? "p50Ms" : "p99Ms";
                endToEnd.put(field, round(percentile.value(TimeUnit.MILLISECONDS)));
            }
            endToEnd.put("maxMs", round(latency.max(TimeUnit.MILLISECONDS)));
            endToEnd.put("meanMs", round(latency.mean(TimeUnit.MILLISECONDS)));
            results.put(name, endToEnd);
        }
    }

    /**
     * 6. x-v2-stream against the fake X filtered stream: posts at a steady rate, then a burst; received
     * to acknowledged by Kafka (the app's hand-over timer), and posts lost. After the JVM's memory
     * figures, which are those of the phases before (the fake keeps every post it published).
     */
    private void xStream() throws Exception {
        phase("X filtered stream (fake stream -> x-v2-stream-source -> tweets-to-kafka): "
                + options.streamRate() + " posts/s for " + options.streamSeconds() + " s, then "
                + options.burstRate() + " posts/s for " + options.burstSeconds() + " s");
        try (XStreamPhase stream = XStreamPhase.start(overrides("bench-stream"), broker.bootstrapServers(),
                TOPIC + ".stream")) {
            startRecordingIfAsked();
            results.put("stream", stream.steady(options.streamRate(), options.streamSeconds()));
            stopRecording("x-stream");
            OUT.println("  burst");
            startRecordingIfAsked();
            results.put("streamBurst", stream.burst(options.burstRate(), options.burstSeconds()));
            stopRecording("x-stream-burst");
        }
    }

    private void startRecordingIfAsked() {
        if (options.jfr()) {
            startRecording();
        }
    }

    private void memoryAfterRun() {
        System.gc();
        results.put("peakRssMb", ProcessMemory.peakRssMb());
        results.put("heapAfterRunMb", ProcessMemory.heapUsedMb());
    }

    private static final String TOPIC = "rk_hadoop";

    /** Settings every phase shares: the bench's broker and HTTP port, a group and nothing else. */
    private Map<String, String> overrides(String group) {
        Map<String, String> overrides = new HashMap<>();
        overrides.put("kafka.brokers", broker.bootstrapServers());
        overrides.put("kafka.consumer.group", group);
        overrides.put("camel.server.port", Integer.toString(ProcessMemory.freePort()));
        return overrides;
    }

    private void awaitConsumerAssigned(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()))) {
            PipelineRun.awaitCount(() -> {
                try {
                    ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
                            .describedGroups().get(group).get();
                    return description.members().stream()
                            .mapToLong(member -> member.assignment().topicPartitions().size()).sum();
                } catch (Exception e) {
                    return 0;
                }
            }, "partitions assigned to " + group, 1, Duration.ofSeconds(60));
        }
    }

    /** The application's settings as users have them: application.properties and their overrides. */
    private static Map<String, String> settings() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            PropertiesComponent properties = context.getPropertiesComponent();
            properties.setLocation("file:application.properties");
            Map<String, String> settings = new HashMap<>();
            for (String key : List.of("kafka.topic.partitions", "kafka.producer.acks", "kafka.producer.idempotence",
                    "kafka.producer.linger-ms", "kafka.producer.batch-size", "kafka.producer.compression",
                    "kafka.producer.delivery-timeout-ms", "tweets.dedup.cache-size", "tweets.sample.max-batch")) {
                settings.put(key, properties.resolveProperty(key).orElseThrow(
                        () -> new IllegalStateException(key + " is missing from application.properties")).strip());
            }
            return settings;
        }
    }

    /** Tweet events exactly as tweets-to-kafka writes them, from the looping sample source. */
    private static void sampleEvents(int count, List<String> keys, List<byte[]> values) throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            SampleTweetSource source = new SampleTweetSource();
            source.setCamelContext(context);
            source.setRate(0);
            source.setLoop(true);
            source.setMaxBatch(10_000);
            source.start();
            TweetNormalizer normalizer = new TweetNormalizer();
            ObjectMapper json = TweetJson.objectMapper();
            while (values.size() < count) {
                for (Status status : source.nextBatch()) {
                    if (values.size() == count) {
                        break;
                    }
                    TweetEvent event = normalizer.normalize(status, "sample");
                    keys.add(event.id());
                    values.add(json.writeValueAsBytes(event));
                }
            }
        }
    }

    /** {@code --jfr}: a JDK Flight Recording of the timed part of each phase, CPU samples every millisecond. */
    private void startRecording() {
        try {
            recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
            recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
            recording.start();
        } catch (IOException | java.text.ParseException e) {
            throw new IllegalStateException("Cannot start a JDK Flight Recording: " + e.getMessage(), e);
        }
    }

    private void stopRecording(String phase) {
        if (recording == null) {
            return;
        }
        try (jdk.jfr.Recording done = recording) {
            recording = null;
            done.stop();
            Path file = options.outputDir().resolve(phase + ".jfr");
            done.dump(file);
            OUT.println("  recorded in " + file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Map<String, Object> throughput(long records, long nanos) {
        Map<String, Object> result = new LinkedHashMap<>();
        double seconds = nanos / 1e9;
        result.put("records", records);
        result.put("seconds", round(seconds));
        result.put("recordsPerSec", Math.round(records / seconds));
        // CPU and heap allocation of the whole process (broker included) over the phase: what a record
        // costs, which other load on the machine changes much less than it changes the rate
        long cpu = ProcessMemory.cpuNanos() - phaseCpuNanos;
        double cores = (double) cpu / (System.nanoTime() - phaseWallNanos);
        long allocated = ProcessMemory.allocatedBytes() - phaseAllocatedBytes;
        result.put("cpuCoresBusy", round(cores));
        result.put("cpuMicrosPerRecord", round(cpu / 1e3 / records));
        result.put("allocatedBytesPerRecord", allocated / records);
        OUT.printf("  %,d records in %.2f s: %,d records/s (%.2f cores busy, %.1f µs CPU and %,d bytes allocated per"
                + " record)%n", records, seconds, Math.round(records / seconds), cores, cpu / 1e3 / records,
                allocated / records);
        return result;
    }

    /** route / anchor of records per second; null when the anchor was skipped. */
    @SuppressWarnings("unchecked")
    private void ratio(String name, String route, String anchor) {
        Object routeRate = ((Map<String, Object>) results.get(route)).get("recordsPerSec");
        Object anchorRate = ((Map<String, Object>) results.get(anchor)).get("recordsPerSec");
        results.put(name, routeRate instanceof Number r && anchorRate instanceof Number a
                ? Math.round(r.doubleValue() / a.doubleValue() * 1000) / 1000.0 : null);
    }

    private static Duration timeoutFor(long records) {
        return Duration.ofSeconds(120 + records / 1000);
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private static void phase(String name) {
        OUT.println("== " + name);
    }

    /** Starts the CPU measurement of the phase's timed part. */
    private void timingFromHere() {
        OUT.printf("  warmed up; timing %,d records%n", options.records());
        if (options.jfr()) {
            startRecording();
        }
        phaseCpuNanos = ProcessMemory.cpuNanos();
        phaseWallNanos = System.nanoTime();
        phaseAllocatedBytes = ProcessMemory.allocatedBytes();
    }
}
