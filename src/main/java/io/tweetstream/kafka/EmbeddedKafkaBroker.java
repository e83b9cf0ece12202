package io.tweetstream.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker (KRaft, broker and controller in one process) running
 * inside this JVM, for the default run and for tests. Production deployments point
 * {@code KAFKA_BROKERS} at their own cluster and never start it.
 *
 * <p>The data directory is formatted on first use (as {@code kafka-storage.sh format} does) and
 * reused afterwards, so topics and committed offsets survive a restart.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final String host;
    private final int port;
    private final Path dataDir;
    /** The name of the listener clients connect to (PLAINTEXT unless the broker configuration says otherwise). */
    public static final String CLIENT_LISTENER = "CLIENT";

    private final int defaultPartitions;
    private final Map<String, String> extraConfig;
    private KafkaRaftServer server;

    private EmbeddedKafkaBroker(String host, int port, Path dataDir, int defaultPartitions,
            Map<String, String> extraConfig) {
        this.host = host;
        this.port = port;
        this.dataDir = dataDir;
        this.defaultPartitions = defaultPartitions;
        this.extraConfig = Map.copyOf(extraConfig);
    }

    /**
     * Formats (first time only) and starts a broker listening on {@code host:port}; port 0 picks a
     * free port.
     */
    public static EmbeddedKafkaBroker start(String host, int port, Path dataDir, int defaultPartitions) {
        return start(host, port, dataDir, defaultPartitions, Map.of());
    }

    /**
     * As {@link #start(String, int, Path, int)}, with more broker configuration on top of the
     * defaults, e.g. a SASL listener for tests: the clients' listener is named
     * {@value #CLIENT_LISTENER} ({@code listener.security.protocol.map}, {@code listener.name.client.*}).
     */
    public static EmbeddedKafkaBroker start(String host, int port, Path dataDir, int defaultPartitions,
            Map<String, String> extraConfig) {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(host, port == 0 ? freePort(host) : port,
                dataDir.toAbsolutePath(), defaultPartitions, extraConfig);
        broker.startServer();
        return broker;
    }

    /** The address clients use: {@code host:port}. */
    public String bootstrapServers() {
        return host + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public boolean isRunning() {
        return server != null;
    }

    /** Stops the broker and waits until it has shut down; the data directory is kept. */
    public synchronized void stop() {
        if (server != null) {
            LOG.info("Stopping embedded Kafka broker at {}", bootstrapServers());
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /** Starts a stopped broker again on the same port and data directory. */
    public synchronized void restart() {
        if (server == null) {
            startServer();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void startServer() {
        long started = System.nanoTime();
        Properties config = brokerConfig(freePort(host));
        Path configFile = dataDir.resolve("server.properties");
        writeConfig(config, configFile);
        format(configFile);
        KafkaRaftServer raftServer = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
        try {
            raftServer.startup();
        } catch (RuntimeException e) {
            raftServer.shutdown();
            throw new IllegalStateException("The embedded Kafka broker could not start on " + bootstrapServers()
                    + " (is the port in use? set KAFKA_EMBEDDED_PORT, or KAFKA_BROKERS to use another broker): "
                    + e.getMessage(), e);
        }
        server = raftServer;
        LOG.info("Embedded Kafka broker (Apache Kafka {}, KRaft) listening on {} in {} ms, data in {}",
                org.apache.kafka.common.utils.AppInfoParser.getVersion(), bootstrapServers(),
                Duration.ofNanos(System.nanoTime() - started).toMillis(), dataDir);
    }

    private Properties brokerConfig(int controllerPort) {
        Properties config = new Properties();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
        config.put("listeners", CLIENT_LISTENER + "://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
        config.put("advertised.listeners", CLIENT_LISTENER + "://" + host + ":" + port);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", CLIENT_LISTENER);
        config.put("listener.security.protocol.map", CLIENT_LISTENER + ":PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("log.dirs", dataDir.resolve("logs").toString());
        config.put("num.partitions", Integer.toString(defaultPartitions));
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "5");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        // exactly-once publishing on one node: fewer transaction state partitions than Kafka's 50, so the
        // first transaction of a fresh broker starts in a moment
        config.put("transaction.state.log.num.partitions", "5");
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("auto.create.topics.enable", "true");
        // A restarted single node must not wait long for its previous incarnation's session to expire.
        config.put("broker.heartbeat.interval.ms", "500");
        config.put("broker.session.timeout.ms", "2000");
        config.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        // The log cleaner (compacted topics: consumer offsets, source cursors) takes its dedupe buffer
        // on the heap at start-up, 128 MiB by default: half of a 256 MiB heap for a few small topics.
        // 8 MiB maps the offsets of about 350,000 keys per cleaning pass.
        config.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        config.putAll(extraConfig);
        return config;
    }

    private static void writeConfig(Properties config, Path file) {
        try {
            Files.createDirectories(file.getParent());
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                config.store(out, "Written by tweetstream's embedded Kafka broker; rewritten at every start");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the embedded Kafka broker's configuration to " + file
                    + ": check KAFKA_EMBEDDED_DATA_DIR", e);
        }
    }

    /** kafka-storage.sh format, the first time only: a formatted directory keeps its cluster id. */
    private void format(Path configFile) {
        if (Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
            return;
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exit = StorageTool.execute(new String[] {
                "format", "--config", configFile.toString(),
                "--cluster-id", Uuid.randomUuid().toString()}, out);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Cannot format the embedded Kafka broker's data directory " + dataDir
                    + ": " + e.getMessage(), e);
        }
        if (exit != 0) {
            throw new IllegalStateException("Formatting the embedded Kafka broker's data directory " + dataDir
                    + " failed: " + output.toString(StandardCharsets.UTF_8).strip());
        }
        LOG.debug("kafka-storage format: {}", output.toString(StandardCharsets.UTF_8).strip());
    }

    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on " + host, e);
        }
    }
}
