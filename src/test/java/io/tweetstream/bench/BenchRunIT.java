package io.tweetstream.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bench/run as docs/performance.md gives it, on the packaged jar and the compiled test sources (where the
 * benchmark and the fake X stream live), with small numbers: every phase runs, and results.json
 * holds every documented figure with a plausible value. (The figures themselves are the
 * benchmark's business, never a test's.)
 */
class BenchRunIT {

    private static final Path OUT = Path.of("target", "bench-it");

    @Test
    void runsEveryPhaseAndWritesEveryDocumentedResult() throws Exception {
        Process bench = new ProcessBuilder("bash", "bench/run", "--records", "4000", "--rate", "200", "--fast-rate", "1000", "--seconds",
                "2", "--memory-records", "20000", "--stream-rate", "100", "--stream-seconds", "3", "--burst-rate",
                "1000", "--burst-seconds", "2", "--out", OUT.toString())
                .redirectErrorStream(true)
                .redirectOutput(Files.createDirectories(Path.of("target", "it-output")).resolve("bench-run.log").toFile())
                .start();
        assertThat(bench.waitFor(300, TimeUnit.SECONDS)).as("bench/run finished in time").isTrue();
        String output = Files.readString(Path.of("target", "it-output", "bench-run.log"), StandardCharsets.UTF_8);
        assertThat(bench.exitValue()).as(output).isZero();

        JsonNode results = new ObjectMapper().readTree(OUT.resolve("results.json").toFile());
        assertThat(results.path("records").asInt()).isEqualTo(4000);
        assertThat(results.path("eventBytesAvg").asDouble()).isBetween(200.0, 2000.0);
        // the anchors too: the build that runs this test reaches Maven, so bench/run resolves Kafka Connect
        for (String rate : List.of("rawProducer", "ingestRoute", "ingestRouteNoTransactions", "handWrittenIngest",
                "connectSource", "rawConsumer", "consumeRoute", "handWrittenConsumer", "connectSink")) {
            assertThat(results.path(rate).path("recordsPerSec").asDouble()).as("%s: %s", rate, results.path(rate))
                    .isPositive();
            assertThat(results.path(rate).path("cpuMicrosPerRecord").asDouble()).as(rate).isPositive();
        }
        for (String ratio : List.of("ingestRatio", "consumeRatio", "ingestVsConnect", "consumeVsConnect",
                "ingestVsHandWritten", "consumeVsHandWritten")) {
            assertThat(results.path(ratio).asDouble()).as(ratio).isPositive();
        }
        assertThat(results.path("connectSettings").path("producer.acks").asText()).isEqualTo("all");
        for (String phase : List.of("endToEnd", "endToEnd10k")) {
            JsonNode endToEnd = results.path(phase);
            double p50 = endToEnd.path("p50Ms").asDouble();
            double p99 = endToEnd.path("p99Ms").asDouble();
            assertThat(p50).as(phase).isPositive().isLessThanOrEqualTo(p99);
            assertThat(p99).as(phase).isLessThanOrEqualTo(endToEnd.path("maxMs").asDouble() * 1.01);
        }
        assertThat(results.path("endToEnd").path("ratePerSec").asInt()).isEqualTo(200);
        assertThat(results.path("endToEnd").path("records").asLong()).as("every tweet of the latency phase consumed")
                .isEqualTo(400);
        assertThat(results.path("endToEnd10k").path("ratePerSec").asInt()).isEqualTo(1000);
        assertThat(results.path("endToEnd10k").path("records").asLong()).isEqualTo(2000);
        JsonNode stream = results.path("stream");
        for (String field : List.of("ratePerSec", "p50Ms", "p99Ms", "maxMs", "lost")) {
            assertThat(stream.path(field).isNumber()).as("stream.%s in %s", field, stream).isTrue();
        }
        JsonNode burst = results.path("streamBurst");
        for (String field : List.of("ratePerSec", "lost")) {
            assertThat(burst.path(field).isNumber()).as("streamBurst.%s in %s", field, burst).isTrue();
        }
        assertThat(results.path("peakRssMb").asLong()).isPositive();
        JsonNode memory = results.path("memoryCheck");
        assertThat(memory.path("records").asInt()).isEqualTo(20000);
        assertThat(memory.path("heapAfterGcSamples")).hasSize(10);
        assertThat(memory.path("failure").isMissingNode()).as("no OutOfMemoryError: %s", memory).isTrue();
        assertThat(memory.path("passed").asBoolean()).as("heap after GC flat: %s", memory).isTrue();
        assertThat(OUT.resolve("results.md")).content(StandardCharsets.UTF_8)
                .contains("raw producer", "ingest route", "raw consumer", "consume route", "Kafka Connect FileStreamSource",
                        "Kafka Connect FileStreamSink", "hand-written ingest", "hand-written consumer", "End-to-end",
                        "X filtered stream", "burst");
        assertThat(output).contains("| ingest route");
    }
}
