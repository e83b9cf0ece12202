package io.tweetstream.bench;

import java.util.List;
import java.util.Map;

/** The benchmark's results as the Markdown table README shows, and the targets they are held to. */
final class ResultsTable {

    static final double MIN_RATIO = 0.8;
    static final double MAX_P99_MS = 50;
    static final double STREAM_MAX_P99_MS = 20;

    private ResultsTable() {
    }

    static String render(Map<String, Object> results) {
        StringBuilder table = new StringBuilder();
        Map<String, Object> machine = map(results, "machine");
        table.append(String.format("tweetstream benchmark, %,d records, %s cores, %s%n%n", number(results, "records")
                .longValue(), machine.get("cores"), machine.get("java")));
        table.append("| Phase | Records | Seconds | Records/s | Route / raw | Target |\n");
        table.append("| --- | ---: | ---: | ---: | ---: | --- |\n");
        row(table, "raw producer (kafka-clients)", map(results, "rawProducer"), null, null);
        row(table, "ingest route (sample-source → tweets-to-kafka)", map(results, "ingestRoute"),
                number(results, "ingestRatio"), "≥ " + MIN_RATIO);
        row(table, "raw consumer (kafka-clients)", map(results, "rawConsumer"), null, null);
        row(table, "consume route (kafka-to-log)", map(results, "consumeRoute"),
                number(results, "consumeRatio"), "≥ " + MIN_RATIO);
        table.append('\n');
        Map<String, Object> e2e = map(results, "endToEnd");
        table.append("| End-to-end (ingestedAt → consumed) | Rate | p50 ms | p99 ms | max ms | Target |\n");
        table.append("| --- | ---: | ---: | ---: | ---: | --- |\n");
        table.append(String.format("| %,d tweets over %s s | %,d/s | %s | %s | %s | p99 ≤ %.0f ms %s |%n",
                number(e2e, "records").longValue(), e2e.get("seconds"), number(e2e, "ratePerSec").longValue(),
                e2e.get("p50Ms"), e2e.get("p99Ms"), e2e.get("maxMs"), MAX_P99_MS,
                mark(number(e2e, "p99Ms").doubleValue() <= MAX_P99_MS)));
        Map<String, Object> stream = map(results, "stream");
        if (!stream.isEmpty()) {
            Map<String, Object> burst = map(results, "streamBurst");
            table.append('\n');
            table.append("| X filtered stream (received → acknowledged by Kafka) | Rate | p50 ms | p99 ms | max ms | Lost"
                    + " | Target |\n");
            table.append("| --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
            table.append(String.format("| %,d posts over %s s (asked %,d/s) | %,.1f/s | %s | %s | %s | %,d | p99 ≤ %.0f ms"
                    + " %s, 0 lost %s |%n", number(stream, "posts").longValue(), stream.get("seconds"),
                    number(stream, "requestedRatePerSec").longValue(), number(stream, "ratePerSec").doubleValue(),
                    stream.get("p50Ms"),
                    stream.get("p99Ms"), stream.get("maxMs"), number(stream, "lost").longValue(), STREAM_MAX_P99_MS,
                    mark(streamLatencyMet(stream)), mark(nothingLost(stream))));
            table.append(String.format("| burst: %,d posts over %s s (asked %,d/s) | %,.1f/s | | | | %,d | 0 lost %s |%n",
                    number(burst, "posts").longValue(), burst.get("seconds"),
                    number(burst, "requestedRatePerSec").longValue(), number(burst, "ratePerSec").doubleValue(),
                    number(burst, "lost").longValue(), mark(nothingLost(burst))));
        }
        table.append('\n');
        table.append(String.format("Average event: %s bytes. This JVM (broker and routes): peak RSS %s MiB, heap after"
                + " the run and a full GC %s MiB.%n", results.get("eventBytesAvg"), results.get("peakRssMb"),
                results.get("heapAfterRunMb")));
        Map<String, Object> memory = map(results, "memoryCheck");
        if (!memory.isEmpty()) {
            table.append(String.format("Memory check, %,d tweets through both routes with %s: %s%n",
                    number(memory, "records").longValue(), memory.get("maxHeap"), memorySummary(memory)));
        }
        table.append(String.format("Targets: %s%n", targetsMet(results) ? "all met" : "MISSED (see ✗ above)"));
        return table.toString();
    }

    static boolean targetsMet(Map<String, Object> results) {
        boolean met = number(results, "ingestRatio").doubleValue() >= MIN_RATIO
                && number(results, "consumeRatio").doubleValue() >= MIN_RATIO
                && number(map(results, "endToEnd"), "p99Ms").doubleValue() <= MAX_P99_MS;
        Map<String, Object> stream = map(results, "stream");
        if (!stream.isEmpty()) {
            Map<String, Object> burst = map(results, "streamBurst");
            met &= streamLatencyMet(stream) && nothingLost(stream) && nothingLost(burst);
        }
        Map<String, Object> memory = map(results, "memoryCheck");
        return met && (memory.isEmpty() || Boolean.TRUE.equals(memory.get("passed")));
    }

    private static boolean streamLatencyMet(Map<String, Object> stream) {
        return number(stream, "p99Ms").doubleValue() <= STREAM_MAX_P99_MS;
    }

    private static boolean nothingLost(Map<String, Object> phase) {
        return number(phase, "lost").doubleValue() == 0;
    }

    @SuppressWarnings("unchecked")
    private static String memorySummary(Map<String, Object> memory) {
        if (memory.containsKey("failure")) {
            return "✗ " + memory.get("failure");
        }
        StringBuilder heap = new StringBuilder();
        for (Map<String, Object> sample : (List<Map<String, Object>>) memory.get("heapAfterGcSamples")) {
            heap.append(heap.length() == 0 ? "" : ", ").append(sample.get("heapAfterGcMb"));
        }
        return String.format("no OutOfMemoryError; heap after full GC at each tenth [%s] MiB, growth after warm-up"
                + " %s MiB (flat: ≤ %d) %s; peak RSS %s MiB; %s s", heap, memory.get("growthAfterWarmUpMb"),
                MemoryCheck.FLAT_TOLERANCE_MB, mark(Boolean.TRUE.equals(memory.get("passed"))),
                memory.get("peakRssMb"), memory.get("seconds"));
    }

    private static void row(StringBuilder table, String phase, Map<String, Object> result, Number ratio,
            String target) {
        table.append(String.format("| %s | %,d | %s | %,d | %s | %s |%n", phase, number(result, "records").longValue(),
                result.get("seconds"), number(result, "recordsPerSec").longValue(),
                ratio == null ? "" : String.format("%.2f", ratio.doubleValue()),
                target == null ? "" : target + " " + mark(ratio.doubleValue() >= MIN_RATIO)));
    }

    private static String mark(boolean met) {
        return met ? "✓" : "✗";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> results, String key) {
        Object value = results.get(key);
        return value instanceof Map ? (Map<String, Object>) value : Map.of();
    }

    private static Number number(Map<String, Object> results, String key) {
        Object value = results.get(key);
        return value instanceof Number n ? n : Double.NaN;
    }
}
