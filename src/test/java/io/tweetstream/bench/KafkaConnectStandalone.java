package io.tweetstream.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Kafka Connect anchors: Kafka Connect standalone 3.9.1 with the file connectors, as a JVM of
 * its own (default flags) against the benchmark's broker. Connect is not on the benchmark's class
 * path: bench/run resolves it with {@code bench/connect/pom.xml} and names the class path file in
 * {@code -Dbench.connect.classpath-file}, or says why it could not in {@code -Dbench.connect.skipped}.
 *
 * <p>A phase is timed from the moment its count (the topic's end offsets for the source, the lines
 * of the sink's file) first reaches the warm-up's to the moment it reaches the last record, so the
 * JVM's and the worker's start-up are not measured (and the JIT has warmed up, as for the routes).
 * CPU is that of the Connect process over the same window ({@code utime + stime} of
 * {@code /proc/<pid>/stat}), and separately that of the benchmark's JVM (the broker, and the
 * benchmark watching); allocation cannot be read off another JVM and is null.
 */
final class KafkaConnectStandalone {

    static final String CLASSPATH_FILE = "bench.connect.classpath-file";
    static final String SKIPPED = "bench.connect.skipped";
    private static final PrintStream OUT = System.err;

    /** The settings of the anchors besides the route's producer settings: Kafka Connect's defaults otherwise. */
    static final Map<String, Object> SETTINGS = settings();

    private final String classpath;
    private final Path dir;
    private final String bootstrapServers;
    private final long ticksPerSecond = clockTicks();

    private KafkaConnectStandalone(String classpath, Path dir, String bootstrapServers) {
        this.classpath = classpath;
        this.dir = dir;
        this.bootstrapServers = bootstrapServers;
    }

    /** Connect's class path from bench/run, or why the Connect phases are skipped. */
    static Object locate(Path dir, String bootstrapServers) {
        String skipped = System.getProperty(SKIPPED);
        if (skipped != null && !skipped.isBlank()) {
            return skipped;
        }
        String file = System.getProperty(CLASSPATH_FILE);
        if (file == null || file.isBlank()) {
            return "no Kafka Connect class path (bench/run passes -D" + CLASSPATH_FILE + ")";
        }
        try {
            String classpath = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            if (!classpath.contains("connect-runtime") || !classpath.contains("connect-file")) {
                return "the Kafka Connect class path in " + file + " lacks connect-runtime or connect-file";
            }
            Files.createDirectories(dir);
            return new KafkaConnectStandalone(classpath, dir, bootstrapServers);
        } catch (IOException e) {
            return "cannot read the Kafka Connect class path " + file + ": " + e;
        }
    }

    private static Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("version", "3.9.1 standalone (org.apache.kafka.connect.cli.ConnectStandalone), a JVM of its own");
        settings.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        settings.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        settings.put("tasks.max", 1);
        settings.put("source", "FileStreamSource: batch.size 2000 lines a poll (default), key null (the routes key"
                + " by tweet id); worker producer overrides producer.* = the route's producerSettings, other producer"
                + " settings Connect's defaults (max.in.flight.requests.per.connection 1)");
        settings.put("sink", "FileStreamSink: one println per record to an unbuffered file stream; the sink"
                + " consumer's settings are Connect's defaults (max.poll.records 500, offsets committed every"
                + " offset.flush.interval.ms 10000)");
        settings.put("cpu", "cpuMicrosPerRecord and cpuCoresBusy: the Connect process only (/proc/<pid>/stat);"
                + " benchJvmCpuMicrosPerRecord: the benchmark's JVM (the broker) over the same window, which the"
                + " route phases' figures include; allocatedBytesPerRecord: not measured in another JVM (null)");
        return settings;
    }

    /**
     * FileStreamSource: a file of the events, one a line, to a fresh topic; timed from the
     * {@code warmup}-th record on the topic to the last.
     */
    Map<String, Object> source(List<byte[]> events, String topic, Map<String, String> producerSettings, long warmup,
            Duration timeout) throws Exception {
        Path input = dir.resolve("source-events.txt");
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(input))) {
            for (byte[] event : events) {
                out.write(event);
                out.write('\n');
            }
        }
        Properties worker = worker("source");
        producerSettings.forEach((key, value) -> worker.put("producer." + key, value));
        Properties connector = new Properties();
        connector.put("name", "bench-file-source");
        connector.put("connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector");
        connector.put("tasks.max", "1");
        connector.put("file", input.toAbsolutePath().toString());
        connector.put("topic", topic);
        Map<String, Object> consumerConfig = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (KafkaConsumer<byte[], byte[]> watcher = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = watcher.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            LongSupplier onTopic = () -> watcher.endOffsets(partitions).values().stream().mapToLong(Long::longValue)
                    .sum();
            Map<String, Object> result = run("source", worker, connector, onTopic, "records on " + topic, warmup,
                    events.size(), timeout);
            checkValues(watcher, partitions, events);
            return result;
        } finally {
            Files.deleteIfExists(input);
        }
    }

    /**
     * The topic holds the events exactly (the converters did not wrap them): as many records as lines,
     * as many value bytes as the events have, every value one of the events. Outside the timing.
     */
    private static void checkValues(KafkaConsumer<byte[], byte[]> watcher, List<TopicPartition> partitions,
            List<byte[]> events) {
        java.util.Set<ByteBuffer> expected = new java.util.HashSet<>(events.size() * 2);
        long expectedBytes = 0;
        for (byte[] event : events) {
            expected.add(ByteBuffer.wrap(event));
            expectedBytes += event.length;
        }
        watcher.assign(partitions);
        watcher.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = watcher.endOffsets(partitions);
        long records = 0;
        long bytes = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (partitions.stream().anyMatch(p -> watcher.position(p) < end.get(p)) && System.nanoTime() < deadline) {
            for (var record : watcher.poll(Duration.ofMillis(200))) {
                if (!expected.contains(ByteBuffer.wrap(record.value()))) {
                    throw new IllegalStateException("Kafka Connect wrote a value that is not one of the events: "
                            + new String(record.value(), 0, Math.min(200, record.value().length),
                                    StandardCharsets.UTF_8));
                }
                records++;
                bytes += record.value().length;
            }
        }
        if (records != events.size() || bytes != expectedBytes) {
            throw new IllegalStateException("Kafka Connect wrote " + records + " records of " + bytes + " bytes for "
                    + events.size() + " events of " + expectedBytes + " bytes");
        }
    }

    /** FileStreamSink: the records of a topic to a file; timed from the {@code warmup}-th line to the last. */
    Map<String, Object> sink(String topic, long warmup, long total, Duration timeout) throws Exception {
        Path output = dir.resolve("sink-events.txt");
        Files.deleteIfExists(output);
        Files.createFile(output);
        Properties connector = new Properties();
        connector.put("name", "bench-file-sink");
        connector.put("connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector");
        connector.put("tasks.max", "1");
        connector.put("file", output.toAbsolutePath().toString());
        connector.put("topics", topic);
        try (LineCounter lines = new LineCounter(output)) {
            return run("sink", worker("sink"), connector, lines, "lines in " + output, warmup, total, timeout);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private Properties worker(String phase) throws IOException {
        Properties worker = new Properties();
        worker.put("bootstrap.servers", bootstrapServers);
        worker.put("key.converter", SETTINGS.get("key.converter"));
        worker.put("value.converter", SETTINGS.get("value.converter"));
        Path offsets = dir.resolve(phase + ".offsets");
        Files.deleteIfExists(offsets);
        worker.put("offset.storage.file.filename", offsets.toAbsolutePath().toString());
        worker.put("listeners", "http://127.0.0.1:0");
        return worker;
    }

    private Map<String, Object> run(String phase, Properties worker, Properties connector, LongSupplier count,
            String what, long warmup, long total, Duration timeout) throws Exception {
        Path workerFile = write(phase + "-worker.properties", worker);
        Path connectorFile = write(phase + "-connector.properties", connector);
        Path log4j = dir.resolve("log4j.properties");
        Files.writeString(log4j, """
                log4j.rootLogger=WARN, stdout
                log4j.logger.org.apache.kafka.connect.runtime.Worker=INFO
                log4j.appender.stdout=org.apache.log4j.ConsoleAppender
                log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
                log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
                """);
        Path log = dir.resolve("connect-" + phase + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process connect = new ProcessBuilder(java, "-cp", classpath,
                "-Dlog4j.configuration=" + log4j.toUri(), "org.apache.kafka.connect.cli.ConnectStandalone",
                workerFile.toString(), connectorFile.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long startAt = Math.max(1, warmup);
            long deadline = System.nanoTime() + timeout.toNanos();
            long seen = await(connect, count, what, startAt, deadline, log);
            long cpu0 = processCpuNanos(connect.pid());
            long benchCpu0 = ProcessMemory.cpuNanos();
            long wall0 = System.nanoTime();
            OUT.printf("  warmed up (%,d %s); timing to %,d%n", seen, what, total);
            long last = await(connect, count, what, total, deadline, log);
            long wall = System.nanoTime() - wall0;
            long cpu = processCpuNanos(connect.pid()) - cpu0;
            long benchCpu = ProcessMemory.cpuNanos() - benchCpu0;
            long records = last - seen;
            if (records <= 0 || wall <= 0) {
                throw new IllegalStateException("all " + last + " " + what + " came at once: too few to time"
                        + " (more --records)");
            }
            double seconds = wall / 1e9;
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("records", records);
            result.put("seconds", round(seconds));
            result.put("recordsPerSec", Math.round(records / seconds));
            result.put("cpuCoresBusy", round((double) cpu / wall));
            result.put("cpuMicrosPerRecord", round(cpu / 1e3 / records));
            result.put("allocatedBytesPerRecord", null);
            result.put("benchJvmCpuMicrosPerRecord", round(benchCpu / 1e3 / records));
            OUT.printf("  %,d records in %.2f s: %,d records/s (Connect: %.2f cores busy, %.1f µs CPU per record;"
                    + " broker JVM %.1f µs)%n", records, seconds, Math.round(records / seconds), (double) cpu / wall,
                    cpu / 1e3 / records, benchCpu / 1e3 / records);
            return result;
        } finally {
            connect.destroy();
            if (!connect.waitFor(30, TimeUnit.SECONDS)) {
                connect.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static long await(Process connect, LongSupplier count, String what, long target, long deadline, Path log)
            throws Exception {
        long seen;
        while ((seen = count.getAsLong()) < target) {
            if (!connect.isAlive()) {
                throw new IllegalStateException("Kafka Connect exited (status " + connect.exitValue() + ") at " + seen
                        + " " + what + " of " + target + "; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Kafka Connect reached only " + seen + " " + what + " of " + target
                        + " in time; see " + log);
            }
            Thread.sleep(2);
        }
        return seen;
    }

    private Path write(String name, Properties properties) throws IOException {
        Path file = dir.resolve(name);
        try (var out = Files.newBufferedWriter(file)) {
            properties.store(out, "bench/run: Kafka Connect standalone");
        }
        return file;
    }

    /** utime + stime of a process, from /proc/<pid>/stat, in nanoseconds. */
    private long processCpuNanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // the fields after the command name (in parentheses, which may hold spaces): state is field 3
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * 1_000_000_000L / ticksPerSecond;
    }

    private static long clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            if (getconf.waitFor(10, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            // the usual Linux value below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /** The lines of a growing file, read on from where the last count stopped. */
    private static final class LineCounter implements LongSupplier, AutoCloseable {

        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        private long lines;

        LineCounter(Path file) throws IOException {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        }

        @Override
        public long getAsLong() {
            try {
                int read;
                while ((read = channel.read(buffer.clear())) > 0) {
                    for (int i = 0; i < read; i++) {
                        if (buffer.get(i) == '\n') {
                            lines++;
                        }
                    }
                }
                return lines;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
