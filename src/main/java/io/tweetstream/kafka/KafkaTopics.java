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
    /** Suffix of a topic entry whose topic keeps only the latest record per key. */
    static final String COMPACT = "compact";

    private KafkaClientConfig clientConfig;
    private String topics = "";
    private boolean enabled = true;
    private Duration timeout = Duration.ofSeconds(30);

    /** A topic the app needs: its name, its partitions, and whether it keeps only the latest record per key. */
    public record TopicSpec(String name, int partitions, boolean compacted) {

        TopicSpec(String name, int partitions) {
            this(name, partitions, false);
        }
    }

    /**
     * Creates the missing ones of {@code topics} ({@code name:partitions[:compact],...}), unless
     * disabled.
     */
    public void createMissing() {
        if (!enabled) {
            LOG.info("Not checking topics {} (KAFKA_TOPICS_CREATE=false)", topics);
            return;
        }
        createMissing(clientConfig, parse(topics), timeout);
    }

    /** Creates the missing ones of these topics (name to partitions) on a PLAINTEXT broker (tests, tools). */
    public static void createMissing(String bootstrapServers, Map<String, Integer> partitionsByTopic) {
        List<TopicSpec> specs = new ArrayList<>();
        partitionsByTopic.forEach((name, partitions) -> specs.add(new TopicSpec(name, partitions)));
        createMissing(KafkaClientConfig.plaintext(bootstrapServers), specs, Duration.ofSeconds(30));
    }

    static void createMissing(KafkaClientConfig client, List<TopicSpec> specs, Duration timeout) {
        String bootstrapServers = client.bootstrapServers();
        Map<String, TopicSpec> byName = new LinkedHashMap<>();
        specs.forEach(spec -> byName.put(spec.name(), spec));
        try (Admin admin = KafkaAdmin.connect(client, timeout)) {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (TopicSpec spec : specs) {
                if (!existing.contains(spec.name())) {
                    NewTopic newTopic = new NewTopic(spec.name(), java.util.Optional.of(spec.partitions()),
                            java.util.Optional.empty());
                    if (spec.compacted()) {
                        newTopic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                    }
                    missing.add(newTopic);
                }
            }
            for (var result : admin.createTopics(missing).values().entrySet()) {
                TopicSpec spec = byName.get(result.getKey());
                try {
                    result.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.info("Created topic {} with {} partition(s){}", spec.name(), spec.partitions(),
                            spec.compacted() ? ", compacted" : "");
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        client.whatToFix(e.getCause()).ifPresent(message -> {
                            throw new IllegalStateException(message, e.getCause());
                        });
                        throw new IllegalStateException("Topic " + spec.name() + " does not exist on "
                                + bootstrapServers + " and could not be created (" + e.getCause().getMessage()
                                + "): create it with " + spec.partitions() + " partition(s)"
                                + (spec.compacted() ? " and cleanup.policy=compact" : "")
                                + ", or allow this client to create topics", e.getCause());
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            String message = client.whatToFix(cause).orElseGet(() -> "Kafka at " + bootstrapServers
                    + " did not answer within " + timeout.toSeconds() + " s (" + cause + "): check KAFKA_BROKERS,"
                    + " that the brokers are up, and that KAFKA_SECURITY_PROTOCOL (" + client.securityProtocol()
                    + ") is the one of their listener");
            throw new IllegalStateException(message, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while checking Kafka topics", e);
        }
    }

    /** The topics of {@code name:partitions[:compact],...}, in order. */
    public static List<TopicSpec> parse(String topics) {
        List<TopicSpec> parsed = new ArrayList<>();
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
            parsed.add(new TopicSpec(parts[0].strip(), Integer.parseInt(parts[1].strip()), parts.length == 3));
        }
        return parsed;
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

    /** How long start-up waits for Kafka to answer; 30 s by default. */
    public void setTimeoutMs(long timeoutMs) {
        this.timeout = Duration.ofMillis(timeoutMs);
    }
}
