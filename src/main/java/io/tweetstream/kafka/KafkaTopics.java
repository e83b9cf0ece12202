package io.tweetstream.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics the routes need when they do not exist yet (the main topic with its
 * partitions, the dedup topic with one, the compacted cursor topic), so a fresh broker, embedded or
 * not, needs no set-up. A cluster that refuses creation gets a message naming the topics to create
 * by hand; one that refuses the credentials, a message naming the settings to check.
 */
public class KafkaTopics {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private KafkaClientConfig clientConfig;
    private String topics = "";
    private boolean enabled = true;

    /** Suffix of a topic entry whose topic keeps only the latest record per key. */
    static final String COMPACT = "compact";

    /**
     * Creates the missing ones of {@code topics} ({@code name:partitions[:compact],...}), unless
     * disabled.
     */
    public void createMissing() {
        if (!enabled) {
            LOG.info("Not checking topics {} (KAFKA_TOPICS_CREATE=false)", topics);
            return;
        }
        createMissing(clientConfig, parse(topics), compacted(topics));
    }

    /** Creates the missing ones of these topics on a PLAINTEXT broker (tests, tools). */
    public static void createMissing(String bootstrapServers, Map<String, Integer> partitionsByTopic) {
        createMissing(KafkaClientConfig.plaintext(bootstrapServers), partitionsByTopic);
    }

    public static void createMissing(KafkaClientConfig client, Map<String, Integer> partitionsByTopic) {
        createMissing(client, partitionsByTopic, Set.of());
    }

    static void createMissing(KafkaClientConfig client, Map<String, Integer> partitionsByTopic,
            Set<String> compacted) {
        String bootstrapServers = client.bootstrapServers();
        try (Admin admin = KafkaAdmin.connect(client, TIMEOUT)) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            partitionsByTopic.forEach((topic, partitions) -> {
                if (!existing.contains(topic)) {
                    NewTopic newTopic = new NewTopic(topic, java.util.Optional.of(partitions), java.util.Optional.empty());
                    if (compacted.contains(topic)) {
                        newTopic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                    }
                    missing.add(newTopic);
                }
            });
            for (var result : admin.createTopics(missing).values().entrySet()) {
                try {
                    result.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.info("Created topic {} with {} partition(s){}", result.getKey(),
                            partitionsByTopic.get(result.getKey()), compacted.contains(result.getKey()) ? ", compacted" : "");
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        client.whatToFix(e.getCause()).ifPresent(message -> {
                            throw new IllegalStateException(message, e.getCause());
                        });
                        throw new IllegalStateException("Topic " + result.getKey() + " does not exist on "
                                + bootstrapServers + " and could not be created (" + e.getCause().getMessage()
                                + "): create it with " + partitionsByTopic.get(result.getKey()) + " partition(s)"
                                + (compacted.contains(result.getKey()) ? " and cleanup.policy=compact" : "")
                                + ", or allow this client to create topics", e.getCause());
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            String message = client.whatToFix(cause).orElseGet(() -> "Kafka at " + bootstrapServers
                    + " did not answer within " + TIMEOUT.toSeconds() + " s (" + cause + "): check KAFKA_BROKERS,"
                    + " that the brokers are up, and that KAFKA_SECURITY_PROTOCOL (" + client.securityProtocol()
                    + ") is the one of their listener");
            throw new IllegalStateException(message, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while checking Kafka topics", e);
        }
    }

    static Map<String, Integer> parse(String topics) {
        Map<String, Integer> parsed = new LinkedHashMap<>();
        for (String entry : topics.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] parts = entry.strip().split(":");
            if (parts.length < 2 || parts.length > 3 || !parts[1].strip().matches("[1-9]\\d*")
                    || parts.length == 3 && !parts[2].strip().equals(COMPACT)) {
                throw new IllegalArgumentException("Topic '" + entry.strip()
                        + "' is not of the form name:partitions or name:partitions:compact");
            }
            parsed.put(parts[0].strip(), Integer.parseInt(parts[1].strip()));
        }
        return parsed;
    }

    /** The topics of {@code name:partitions:compact} entries. */
    static Set<String> compacted(String topics) {
        Set<String> compacted = new java.util.HashSet<>();
        for (String entry : topics.split(",")) {
            String[] parts = entry.strip().split(":");
            if (parts.length == 3 && parts[2].strip().equals(COMPACT)) {
                compacted.add(parts[0].strip());
            }
        }
        return compacted;
    }

    public void setClientConfig(KafkaClientConfig clientConfig) {
        this.clientConfig = clientConfig;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public void setTopics(String topics) {
        this.topics = topics;
    }
}
