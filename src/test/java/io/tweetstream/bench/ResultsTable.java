package io.tweetstream.bench;

import java.util.List;
import java.util.Map;

/** The benchmark's results as the Markdown table of results.md (docs/performance.md), and the targets they are held to. */
final class ResultsTable {

    /** Issue 13's targets: the routes against the raw clients and the anchors, CPU per tweet, latency at 10,000/s. */
    static final double MIN_INGEST_VS_CONNECT = 1.0;
    static final double MIN_INGEST_VS_RAW = 0.5;
    static final double MIN_CONSUME_VS_HAND_WRITTEN = 0.8;
    static final double MIN_CONSUME_VS_CONNECT = 0.5;
    static final double MAX_INGEST_CPU_MICROS = 10;
    static final double MAX_CONSUME_CPU_MICROS = 15;
    static final double MAX_P99_MS = 50;
    static final double FAST_MAX_P99_MS = 20;
    static final double STREAM_MAX_P99_MS = 20;

    private ResultsTable() {
    }

    static String render(Map<String, Object> results) {
        StringBuilder table = new StringBuilder();
        Map<String, Object> machine = map(results, "machine");
        table.append(String.format("tweetstream benchmark, %,d records, %s cores, %s%n%n", number(results, "records")
                .longValue(), machine.get("cores"), machine.get("java")));
        table.append("| Phase | Records | Seconds | Records/s | CPU µs/record | Allocated B/record |\n");
        table.append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
        row(table, "raw producer (kafka-clients)", map(results, "rawProducer"));
        row(table, "Kafka Connect FileStreamSource (standalone)", map(results, "connectSource"));
        row(table, "hand-written ingest (kafka-clients)", map(results, "handWrittenIngest"));
        row(table, "ingest route (sample-source → tweets-to-kafka), exactly once", map(results, "ingestRoute"));
        row(table, "ingest route, no transactions (TWEETS_EXACTLY_ONCE=false)", map(results, "ingestRouteNoTransactions"));
        row(table, "raw consumer (kafka-clients)", map(results, "rawConsumer"));
        row(table, "Kafka Connect FileStreamSink (standalone)", map(results, "connectSink"));
        row(table, "hand-written consumer (kafka-clients)", map(results, "handWrittenConsumer"));
        row(table, "consume route (kafka-to-log)", map(results, "consumeRoute"));
        table.append('\n');
        table.append("| Target | Measured | Target | Met |\n");
        table.append("| --- | ---: | --- | --- |\n");
        target(table, "ingest route ÷ Connect source (records/s)", number(results, "ingestVsConnect"), "≥ ",
                MIN_INGEST_VS_CONNECT);
        target(table, "ingest route ÷ raw producer (ingestRatio)", number(results, "ingestRatio"), "≥ ",
                MIN_INGEST_VS_RAW);
        target(table, "ingest route ÷ hand-written ingest", number(results, "ingestVsHandWritten"), null, 0);
        target(table, "consume route ÷ hand-written consumer", number(results, "consumeVsHandWritten"), "≥ ",
                MIN_CONSUME_VS_HAND_WRITTEN);
        target(table, "consume route ÷ Connect sink", number(results, "consumeVsConnect"), "≥ ",
                MIN_CONSUME_VS_CONNECT);
        target(table, "consume route ÷ raw consumer (consumeRatio)", number(results, "consumeRatio"), null, 0);
        target(table, "ingest route CPU µs per tweet", number(map(results, "ingestRoute"), "cpuMicrosPerRecord"), "≤ ",
                MAX_INGEST_CPU_MICROS);
        target(table, "consume route CPU µs per tweet", number(map(results, "consumeRoute"), "cpuMicrosPerRecord"),
                "≤ ", MAX_CONSUME_CPU_MICROS);
        table.append('\n');
        table.append("| End-to-end (ingestedAt → consumed) | Rate | p50 ms | p99 ms | max ms | Target |\n");
        table.append("| --- | ---: | ---: | ---: | ---: | --- |\n");
        latency(table, map(results, "endToEnd"), MAX_P99_MS);
        latency(table, map(results, "endToEnd10k"), FAST_MAX_P99_MS);
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

    /**
     * Every target met. A target against a Connect anchor that was skipped (no Maven to resolve Connect)
     * is not held against the run, as the stream's are not when the stream phase is skipped; the
     * table says why it was skipped.
     */
    static boolean targetsMet(Map<String, Object> results) {
        boolean met = atLeast(results, "ingestRatio", MIN_INGEST_VS_RAW)
                && atLeast(results, "consumeVsHandWritten", MIN_CONSUME_VS_HAND_WRITTEN)
                && number(map(results, "ingestRoute"), "cpuMicrosPerRecord").doubleValue() <= MAX_INGEST_CPU_MICROS
                && number(map(results, "consumeRoute"), "cpuMicrosPerRecord").doubleValue() <= MAX_CONSUME_CPU_MICROS
                && number(map(results, "endToEnd"), "p99Ms").doubleValue() <= MAX_P99_MS
                && number(map(results, "endToEnd10k"), "p99Ms").doubleValue() <= FAST_MAX_P99_MS;
        if (!map(results, "connectSource").containsKey("skipped")) {
            met &= atLeast(results, "ingestVsConnect", MIN_INGEST_VS_CONNECT);
        }
        if (!map(results, "connectSink").containsKey("skipped")) {
            met &= atLeast(results, "consumeVsConnect", MIN_CONSUME_VS_CONNECT);
        }
        Map<String, Object> stream = map(results, "stream");
        if (!stream.isEmpty()) {
            Map<String, Object> burst = map(results, "streamBurst");
            met &= streamLatencyMet(stream) && nothingLost(stream) && nothingLost(burst);
        }
        Map<String, Object> memory = map(results, "memoryCheck");
        return met && (memory.isEmpty() || Boolean.TRUE.equals(memory.get("passed")));
    }

    private static boolean atLeast(Map<String, Object> results, String ratio, double min) {
        return number(results, ratio).doubleValue() >= min;
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

    private static void row(StringBuilder table, String phase, Map<String, Object> result) {
        if (result.isEmpty()) {
            return;
        }
        if (result.containsKey("skipped")) {
            table.append(String.format("| %s | skipped: %s | | | | |%n", phase, result.get("skipped")));
            return;
        }
        Object allocated = result.get("allocatedBytesPerRecord");
        table.append(String.format("| %s | %,d | %s | %,d | %s | %s |%n", phase, number(result, "records").longValue(),
                result.get("seconds"), number(result, "recordsPerSec").longValue(), result.get("cpuMicrosPerRecord"),
                allocated instanceof Number n ? String.format("%,d", n.longValue()) : "n/a"));
    }

    /** A row of the targets table; {@code sign} null: shown for information, no target. */
    private static void target(StringBuilder table, String what, Number measured, String sign, double bound) {
        double value = measured.doubleValue();
        String shown = Double.isNaN(value) ? "not measured" : String.format("%.2f", value);
        if (sign == null) {
            table.append(String.format("| %s | %s | | |%n", what, shown));
            return;
        }
        boolean met = sign.startsWith("≥") ? value >= bound : value <= bound;
        table.append(String.format("| %s | %s | %s%s | %s |%n", what, shown, sign,
                new java.math.BigDecimal(Double.toString(bound)).stripTrailingZeros().toPlainString(),
                Double.isNaN(value) ? "–" : mark(met)));
    }

    private static void latency(StringBuilder table, Map<String, Object> e2e, double maxP99) {
        if (e2e.isEmpty()) {
            return;
        }
        table.append(String.format("| %,d tweets over %s s | %,d/s | %s | %s | %s | p99 ≤ %.0f ms %s |%n",
                number(e2e, "records").longValue(), e2e.get("seconds"), number(e2e, "ratePerSec").longValue(),
                e2e.get("p50Ms"), e2e.get("p99Ms"), e2e.get("maxMs"), maxP99,
                mark(number(e2e, "p99Ms").doubleValue() <= maxP99)));
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
