package io.tweetstream.bench;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The targets of issue 13 as ResultsTable holds a run to them, and a skipped Connect anchor. */
class BenchResultsTableTest {

    @Test
    void holdsTheRoutesToTheAnchorsCpuAndLatencyAtTenThousandPerSecond() {
        Map<String, Object> results = meetingEveryTarget();
        assertThat(ResultsTable.targetsMet(results)).isTrue();
        assertThat(ResultsTable.render(results)).contains("| Kafka Connect FileStreamSource (standalone) | 1,000 |",
                "| hand-written consumer (kafka-clients) | 1,000 |", "| ingest route ÷ Connect source (records/s) | 1.20 | ≥ 1 | ✓ |",
                "p99 ≤ 20 ms ✓", "Targets: all met");

        for (Map.Entry<String, Object> missed : Map.<String, Object>of("ingestVsConnect", 0.99, "ingestRatio", 0.49,
                "consumeVsHandWritten", 0.79, "consumeVsConnect", 0.49).entrySet()) {
            Map<String, Object> run = meetingEveryTarget();
            run.put(missed.getKey(), missed.getValue());
            assertThat(ResultsTable.targetsMet(run)).as(missed.getKey()).isFalse();
        }
        Map<String, Object> slowAtTenThousand = meetingEveryTarget();
        slowAtTenThousand.put("endToEnd10k", latency(10_000, 21));
        assertThat(ResultsTable.targetsMet(slowAtTenThousand)).isFalse();
        Map<String, Object> dearIngest = meetingEveryTarget();
        dearIngest.put("ingestRoute", phase(11));
        assertThat(ResultsTable.targetsMet(dearIngest)).isFalse();
        Map<String, Object> dearConsume = meetingEveryTarget();
        dearConsume.put("consumeRoute", phase(16));
        assertThat(ResultsTable.targetsMet(dearConsume)).isFalse();
    }

    @Test
    void aSkippedConnectAnchorIsShownWithWhyAndNotHeldAgainstTheRun() {
        Map<String, Object> results = meetingEveryTarget();
        results.put("connectSource", Map.of("skipped", "mvn is not on the PATH"));
        results.put("connectSink", Map.of("skipped", "mvn is not on the PATH"));
        results.put("ingestVsConnect", null);
        results.put("consumeVsConnect", null);

        assertThat(ResultsTable.targetsMet(results)).isTrue();
        assertThat(ResultsTable.render(results)).contains(
                "| Kafka Connect FileStreamSink (standalone) | skipped: mvn is not on the PATH |",
                "| consume route ÷ Connect sink | not measured | ≥ 0.5 | – |");
    }

    private static Map<String, Object> meetingEveryTarget() {
        Map<String, Object> results = new HashMap<>();
        results.put("records", 1000);
        results.put("machine", Map.of("cores", 2, "java", "test"));
        for (String name : new String[] {"rawProducer", "connectSource", "handWrittenIngest", "ingestRoute",
                "rawConsumer", "connectSink", "handWrittenConsumer", "consumeRoute"}) {
            results.put(name, phase(9));
        }
        results.put("ingestVsConnect", 1.2);
        results.put("ingestRatio", 0.6);
        results.put("ingestVsHandWritten", 0.7);
        results.put("consumeVsHandWritten", 0.9);
        results.put("consumeVsConnect", 0.6);
        results.put("consumeRatio", 0.3);
        results.put("endToEnd", latency(1_000, 12));
        results.put("endToEnd10k", latency(10_000, 19));
        return results;
    }

    private static Map<String, Object> phase(double cpuMicros) {
        Map<String, Object> phase = new LinkedHashMap<>();
        phase.put("records", 1000);
        phase.put("seconds", 0.1);
        phase.put("recordsPerSec", 10_000);
        phase.put("cpuCoresBusy", 1.0);
        phase.put("cpuMicrosPerRecord", cpuMicros);
        phase.put("allocatedBytesPerRecord", 100);
        return phase;
    }

    private static Map<String, Object> latency(int rate, double p99) {
        return Map.of("ratePerSec", rate, "seconds", 30, "records", rate * 30L, "p50Ms", 5.0, "p99Ms", p99, "maxMs",
                p99 + 10);
    }
}
