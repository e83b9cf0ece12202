package io.tweetstream.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tweetstream.kafka.EmbeddedKafkaBroker;
import org.apache.camel.util.FileUtil;

/**
 * The memory check: {@code memoryRecords} sample tweets through both flows (sample source at
 * unlimited rate, tweets-to-kafka, kafka-to-log) with the embedded broker in the same JVM, as the
 * default run has it, in a JVM of its own with {@code -Xmx256m}. Every tenth of the way it measures
 * the heap after a full collection; the heap is flat when, past the first fifth (caches filling),
 * it grows by no more than {@value #FLAT_TOLERANCE_MB} MiB. An OutOfMemoryError ends the JVM at once
 * ({@code -XX:+ExitOnOutOfMemoryError}) and fails the check.
 */
public final class MemoryCheck {

    static final String MAX_HEAP = "-Xmx256m";
    static final long FLAT_TOLERANCE_MB = 16;
    private static final int SAMPLES = 10;
    private static final String CONSUMED = "tweetstream.tweets.consumed";

    private MemoryCheck() {
    }

    /** Runs the check in a child JVM with {@value #MAX_HEAP} and returns its results. */
    static Map<String, Object> runInOwnJvm(BenchOptions options) throws IOException, InterruptedException {
        System.err.println("== memory check: " + String.format("%,d", options.memoryRecords())
                + " tweets through both routes, " + MAX_HEAP);
        Path result = options.outputDir().resolve("memory-check.json");
        Files.deleteIfExists(result);
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                MAX_HEAP, "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                MemoryCheck.class.getName(), Integer.toString(options.memoryRecords()), result.toString());
        Process process = new ProcessBuilder(command)
                .redirectOutput(options.outputDir().resolve("memory-check-app.log").toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        int exit = process.waitFor();
        Map<String, Object> results = new LinkedHashMap<>();
        if (exit == 0 && Files.exists(result)) {
            results.putAll(new ObjectMapper().readValue(result.toFile(), new TypeReference<Map<String, Object>>() { }));
        } else {
            results.put("records", options.memoryRecords());
            results.put("maxHeap", MAX_HEAP);
            results.put("passed", false);
            results.put("failure", "the check's JVM ended with exit code " + exit
                    + (exit == 3 ? " (OutOfMemoryError)" : "") + "; see " + options.outputDir().resolve(
                            "memory-check-app.log"));
        }
        return results;
    }

    public static void main(String[] args) throws Exception {
        int records = Integer.parseInt(args[0]);
        Path result = Path.of(args[1]);
        Path dataDir = result.getParent().resolve("kafka-memory-check");
        FileUtil.removeDir(dataDir.toFile());
        List<Map<String, Object>> samples = new ArrayList<>();
        long started = System.nanoTime();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start("127.0.0.1", 0, dataDir, 3)) {
            Map<String, String> overrides = new LinkedHashMap<>();
            overrides.put("kafka.brokers", broker.bootstrapServers());
            overrides.put("camel.server.port", Integer.toString(ProcessMemory.freePort()));
            overrides.put("kafka.consumer.group", "bench-memory");
            overrides.put("tweets.source", "sample");
            overrides.put("tweets.sample.rate", "0");
            overrides.put("tweets.sample.limit", Integer.toString(records));
            try (PipelineRun run = PipelineRun.start(overrides)) {
                for (int i = 1; i <= SAMPLES; i++) {
                    long target = (long) records * i / SAMPLES;
                    run.awaitCount(CONSUMED, target, Duration.ofSeconds(120 + records / 1000));
                    Map<String, Object> sample = new LinkedHashMap<>();
                    sample.put("consumed", target);
                    sample.put("heapAfterGcMb", ProcessMemory.heapAfterFullGcMb());
                    samples.add(sample);
                    System.err.printf("  %,d consumed: heap after full GC %d MiB%n", target,
                            sample.get("heapAfterGcMb"));
                }
            }
        }
        long warm = (long) samples.get(SAMPLES / 5 - 1).get("heapAfterGcMb");
        long peakAfterWarm = samples.subList(SAMPLES / 5, SAMPLES).stream()
                .mapToLong(s -> (long) s.get("heapAfterGcMb")).max().orElse(warm);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("records", records);
        results.put("maxHeap", MAX_HEAP);
        results.put("seconds", Math.round((System.nanoTime() - started) / 1e7) / 100.0);
        results.put("heapAfterGcSamples", samples);
        results.put("growthAfterWarmUpMb", peakAfterWarm - warm);
        results.put("peakRssMb", ProcessMemory.peakRssMb());
        results.put("passed", peakAfterWarm - warm <= FLAT_TOLERANCE_MB);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(result.toFile(), results);
        org.apache.logging.log4j.LogManager.shutdown();
        System.exit(0);
    }
}
