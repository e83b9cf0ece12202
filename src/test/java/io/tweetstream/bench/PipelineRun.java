package io.tweetstream.bench;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.main.Main;

/**
 * The tweetstream routes as users run them (the files under {@code routes/} and
 * {@code application.properties} of the working directory), in this JVM, with benchmark overrides
 * on top. The routes named in {@code held} are loaded but not started until {@link #startRoutes}, so
 * a measurement starts at a known moment and not during the context's start-up.
 */
final class PipelineRun implements AutoCloseable {

    private static final String FRESHNESS_INGESTED = "tweetstream.freshness.ingested";
    /** x-v2-stream's timer: a post read off the stream to its end in tweets-to-kafka (on Kafka). */
    static final String X_STREAM_HANDOVER = "tweetstream.x.stream.handover";
    private static final java.util.Set<String> EXACT_PERCENTILES = java.util.Set.of(FRESHNESS_INGESTED,
            X_STREAM_HANDOVER);

    private final Main main = new Main();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Collection<Counter>> found = new java.util.concurrent.ConcurrentHashMap<>();

    private PipelineRun() {
    }

    /** Starts the Camel context with the routes under {@code routes/}; the {@code held} routes stay stopped. */
    static PipelineRun start(Map<String, String> overrides, String... held) throws Exception {
        PipelineRun run = new PipelineRun();
        // exact percentiles of the latencies the benchmark reports (end-to-end, the X stream's hand-over),
        // over the whole run (the app itself publishes histograms, and percentiles over a sliding window)
        run.registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(io.micrometer.core.instrument.Meter.Id id,
                    DistributionStatisticConfig config) {
                if (!EXACT_PERCENTILES.contains(id.getName())) {
                    return config;
                }
                return DistributionStatisticConfig.builder().percentiles(0.5, 0.99).percentilePrecision(3)
                        .expiry(Duration.ofHours(1)).bufferLength(1).build().merge(config);
            }
        });
        Properties properties = new Properties();
        properties.putAll(overrides);
        if (held.length > 0) {
            properties.put("camel.main.auto-startup-exclude-pattern", String.join(",", held));
        }
        run.main.setDefaultPropertyPlaceholderLocation("file:application.properties");
        run.main.setOverrideProperties(properties);
        run.main.bind(MicrometerConstants.METRICS_REGISTRY_NAME, run.registry);
        run.main.start();
        return run;
    }

    CamelContext context() {
        return main.getCamelContext();
    }

    void startRoutes(String... routeIds) throws Exception {
        for (String routeId : routeIds) {
            context().getRouteController().startRoute(routeId);
        }
    }

    /**
     * The count of a tweetstream counter, summed over its tags. The counters found are kept (the
     * benchmark polls often and must not allocate what it measures).
     */
    long count(String counterName) {
        Collection<Counter> counters = found.get(counterName);
        if (counters == null) {
            counters = registry.find(counterName).counters();
            if (counters.isEmpty()) {
                return 0;
            }
            found.put(counterName, counters);
        }
        long sum = 0;
        for (Counter counter : counters) {
            sum += (long) counter.count();
        }
        return sum;
    }

    /**
     * Waits until the counter reaches {@code target}; returns the nanoTime at which it was first seen
     * there. Fails after {@code timeout} with how far it got.
     */
    long awaitCount(String counterName, long target, Duration timeout) throws InterruptedException {
        return awaitCount(() -> count(counterName), counterName, target, timeout);
    }

    static long awaitCount(LongSupplier counter, String what, long target, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen;
        while ((seen = counter.getAsLong()) < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " reached only " + seen + " of " + target + " within "
                        + timeout.toSeconds() + " s");
            }
            Thread.sleep(1);
        }
        return System.nanoTime();
    }

    /** The ingestedAt-to-consumed timer of kafka-to-log, with exact p50 and p99. */
    Timer freshnessIngested() {
        Timer timer = registry.find(FRESHNESS_INGESTED).timer();
        if (timer == null) {
            throw new IllegalStateException("No " + FRESHNESS_INGESTED + " timer: kafka-to-log consumed nothing");
        }
        return timer;
    }

    /** A timer of the app, with exact p50 and p99 if it is one of the latencies the benchmark reports. */
    Timer timer(String name) {
        Timer timer = registry.find(name).timer();
        if (timer == null) {
            throw new IllegalStateException("No " + name + " timer: the app recorded nothing on it");
        }
        return timer;
    }

    MeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        main.stop();
    }
}
