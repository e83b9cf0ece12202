package io.tweetstream.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Readiness of the Kafka connection the routes produce to and consume from: DOWN while no broker
 * of {@code KAFKA_BROKERS} answers (the Kafka clients themselves only retry quietly), with the
 * brokers and the error in the details; UP with the cluster id and broker count.
 */
public class KafkaBrokerHealthCheck extends AbstractHealthCheck {

    private String bootstrapServers;
    private Duration timeout = Duration.ofSeconds(3);
    private Admin admin;

    public KafkaBrokerHealthCheck() {
        super("tweetstream", "kafka");
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("bootstrapServers", bootstrapServers);
        try {
            var cluster = admin().describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()));
            String clusterId = cluster.clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            int brokers = cluster.nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
            builder.detail("clusterId", clusterId).detail("brokers", brokers).up();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            builder.message("Kafka at " + bootstrapServers + " does not answer: " + e).down();
        }
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = KafkaAdmin.connect(bootstrapServers, timeout);
        }
        return admin;
    }

    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
    }

    public void setBootstrapServers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public void setTimeoutMs(long timeoutMs) {
        this.timeout = Duration.ofMillis(timeoutMs);
    }
}
