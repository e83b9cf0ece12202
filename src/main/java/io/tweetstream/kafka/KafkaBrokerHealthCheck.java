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
 * of {@code KAFKA_BROKERS} answers or the brokers refuse the credentials (the Kafka clients
 * themselves only retry quietly), with the brokers, the security protocol and what to fix; UP with
 * the cluster id and broker count. No secret in any detail.
 */
public class KafkaBrokerHealthCheck extends AbstractHealthCheck {

    private KafkaClientConfig clientConfig;
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
        builder.detail("bootstrapServers", clientConfig.bootstrapServers());
        builder.detail("securityProtocol", clientConfig.securityProtocol());
        try {
            var cluster = admin().describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()));
            String clusterId = cluster.clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            int brokers = cluster.nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
            builder.detail("clusterId", clusterId).detail("brokers", brokers).up();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            builder.message(clientConfig.whatToFix(e)
                    .orElseGet(() -> "Kafka at " + clientConfig.bootstrapServers() + " does not answer: " + e)).down();
        }
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = KafkaAdmin.connect(clientConfig, timeout);
        }
        return admin;
    }

    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
    }

    public void setClientConfig(KafkaClientConfig clientConfig) {
        this.clientConfig = clientConfig;
    }

    public void setTimeoutMs(long timeoutMs) {
        this.timeout = Duration.ofMillis(timeoutMs);
    }
}
