package io.tweetstream.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits at start-up ({@link KafkaClientConfig#checkAndAwait}, before any other bean or flow uses
 * Kafka) until a broker of {@code KAFKA_BROKERS} answers, for {@code KAFKA_STARTUP_TIMEOUT_MS} at most. While none answers it
 * says so once after {@value #FIRST_WARNING_SECONDS} s and then every {@value #REPEAT_SECONDS} s, each
 * line with the time waited so far; at the end start-up stops with the time it really waited. A
 * broker that refuses the credentials stops start-up at once. (The Kafka clients' own warning of
 * each failed connection is silenced in log4j2.xml: these lines say it once, with what to check.)
 */
final class KafkaStartupCheck {

    static final long FIRST_WARNING_SECONDS = 10;
    static final long REPEAT_SECONDS = 30;

    private static final Logger LOG = LoggerFactory.getLogger(KafkaStartupCheck.class);
    /**
     * The message of a wait that ran out, by brokers. Camel's YAML DSL creates a bean whose init
     * method failed once more, after the other beans (in case it needed one defined after it); the
     * beans that need Kafka fail at once meanwhile (no kafkaClientConfig bean), and this second try
     * fails at once too instead of waiting again.
     */
    private static final Map<String, String> GAVE_UP = new ConcurrentHashMap<>();

    private final KafkaClientConfig clientConfig;
    private final Duration timeout;

    KafkaStartupCheck(KafkaClientConfig clientConfig, Duration timeout) {
        this.clientConfig = clientConfig;
        this.timeout = timeout;
    }

    /** Returns once a broker answers; fails with one line naming what to check when none does in time. */
    /** Fails at once, with the same line, when a wait for these brokers ran out before (Camel's second try). */
    void failIfGaveUpBefore() {
        String gaveUp = GAVE_UP.get(clientConfig.bootstrapServers());
        if (gaveUp != null) {
            throw new IllegalStateException(gaveUp);
        }
    }

    void await() {
        failIfGaveUpBefore();
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long nextWarning = start + TimeUnit.SECONDS.toNanos(FIRST_WARNING_SECONDS);
        boolean warned = false;
        Admin admin = KafkaAdmin.connect(clientConfig, timeout);
        try {
            while (true) {
                long askFor = Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(deadline, nextWarning) - System.nanoTime()));
                if (answers(admin, askFor)) {
                    if (warned) {
                        LOG.info("Kafka at {} answers, after {} s", clientConfig.bootstrapServers(), secondsSince(start));
                    }
                    return;
                }
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    String message = "Kafka at " + clientConfig.bootstrapServers() + " did not answer in "
                            + secondsSince(start) + " s (KAFKA_STARTUP_TIMEOUT_MS=" + timeout.toMillis() + "): "
                            + whatToCheck();
                    GAVE_UP.put(clientConfig.bootstrapServers(), message);
                    throw new IllegalStateException(message);
                }
                if (now - nextWarning >= 0) {
                    LOG.warn("Kafka at {} does not answer yet (waited {} s of at most {} s): {}",
                            clientConfig.bootstrapServers(), secondsSince(start), timeout.toSeconds(), whatToCheck());
                    warned = true;
                    nextWarning = now + TimeUnit.SECONDS.toNanos(REPEAT_SECONDS);
                }
            }
        } finally {
            admin.close(Duration.ZERO);
        }
    }

    /**
     * Whether a broker answered within {@code millis}; any answer counts, a refusal of the credentials
     * stops start-up at once.
     */
    private boolean answers(Admin admin, long millis) {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) Math.min(Integer.MAX_VALUE, millis)))
                    .clusterId().get();
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                return false;
            }
            clientConfig.whatToFix(e.getCause()).ifPresent(message -> {
                throw new IllegalStateException(message, e.getCause());
            });
            // it answered, if only to refuse this request: what needs Kafka next reports what it says
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Kafka at " + clientConfig.bootstrapServers(), e);
        }
    }

    private String whatToCheck() {
        return "check KAFKA_BROKERS, that the brokers are up and reachable from here, and that KAFKA_SECURITY_PROTOCOL ("
                + clientConfig.securityProtocol() + ") is the one of their listener";
    }

    private static long secondsSince(long start) {
        return Math.round((System.nanoTime() - start) / 1e9);
    }
}
