package io.tweetstream.kafka;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The one place tweetstream opens a Kafka admin client (topic creation, health, lag): with the
 * brokers and security settings of {@link KafkaClientConfig}, and time-outs short enough that an
 * unreachable broker is reported, not waited for.
 */
final class KafkaAdmin {

    private KafkaAdmin() {
    }

    static Admin connect(KafkaClientConfig client, Duration timeout) {
        Map<String, Object> config = client.clientConfig();
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        return Admin.create(config);
    }
}
