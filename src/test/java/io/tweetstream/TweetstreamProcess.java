package io.tweetstream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * The packaged application ({@code java -jar target/tweetstream.jar}) run from the project root as
 * a user runs it, with environment overrides; its output is captured line by line. Other commands
 * of the project run the same way ({@link #run}).
 */
public final class TweetstreamProcess implements AutoCloseable {

    private static final Path JAR = Path.of("target/tweetstream.jar");
    /** Each run's whole output is also kept here, one file per process, for a failed test's reader. */
    private static final Path OUTPUT_DIR = Path.of("target/it-output");
    private static final java.util.regex.Pattern LOGGED_TWEET = java.util.regex.Pattern.compile("tweet (\\d+) by @");

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private final int httpPort;

    private TweetstreamProcess(Process process, int httpPort) {
        this.process = process;
        this.httpPort = httpPort;
        this.reader = new Thread(this::readOutput, "tweetstream-output");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    public static TweetstreamProcess start(Map<String, String> environment, String... jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(List.of(jvmOptions));
        command.add("-jar");
        command.add(jar().toString());
        return run(command, Path.of(""), environment);
    }

    /**
     * Any command of the project (the standalone broker, Camel JBang running the routes) in this
     * working directory, with the same environment handling and output capture as the app.
     */
    public static TweetstreamProcess run(List<String> command, Path workingDirectory, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .directory(workingDirectory.toAbsolutePath().toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("KAFKA_") || name.startsWith("TWEETS_")
                || name.startsWith("TWITTER_") || name.startsWith("X_") || name.startsWith("CAMEL_"));
        builder.environment().putAll(environment);
        builder.environment().putIfAbsent("CAMEL_SERVER_PORT", Integer.toString(freePort()));
        try {
            return new TweetstreamProcess(builder.start(),
                    Integer.parseInt(builder.environment().get("CAMEL_SERVER_PORT")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The java command of the JVM running the tests. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The packaged application, target/tweetstream.jar, as an absolute path. */
    public static Path jar() {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: integration tests run after 'mvn package'");
        }
        return JAR.toAbsolutePath();
    }

    /** The port of the app's HTTP endpoints (/observe/health). */
    public int httpPort() {
        return httpPort;
    }

    /** GET on the app's HTTP server: status code and body. */
    public java.util.Map.Entry<Integer, String> get(String path) {
        try {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + httpPort + path))
                            .timeout(Duration.ofSeconds(10)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return java.util.Map.entry(response.statusCode(), response.body());
        } catch (IOException e) {
            return java.util.Map.entry(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A port nobody listens on now. */
    public static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until a line of output matches, and returns it. */
    public String awaitLine(Predicate<String> condition, Duration timeout) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .failFast("the application exited", () -> !process.isAlive() && !anyLine(condition))
                    .until(() -> anyLine(condition));
        } catch (org.awaitility.core.ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
            throw new AssertionError(e.getMessage() + "; the application's last output:\n" + tail(), e);
        }
        return lines.stream().filter(condition).findFirst().orElseThrow();
    }

    /**
     * Waits until the tweet topic ({@code rk_hadoop}) of the app's embedded broker, on {@code brokerPort},
     * holds every id for a read_committed reader; fails at once when the app could not start.
     */
    public void awaitTweetsOnTopic(int brokerPort, java.util.Set<String> ids, Duration timeout) {
        awaitLine(line -> line.contains("Embedded Kafka broker"), timeout);
        await().atMost(timeout).pollInterval(Duration.ofMillis(500))
                .failFast("the application exited:\n" + tail(), () -> anyLine(line -> line.contains("could not start")))
                .until(() -> java.util.Set.copyOf(TopicReader.keys("127.0.0.1:" + brokerPort, "rk_hadoop")).containsAll(ids));
    }

    /** The tweet ids of kafka-to-log's per-tweet lines, in order, duplicates included. */
    public List<String> loggedTweetIds() {
        List<String> ids = new ArrayList<>();
        for (String line : lines) {
            java.util.regex.Matcher matcher = LOGGED_TWEET.matcher(line);
            if (matcher.find()) {
                ids.add(matcher.group(1));
            }
        }
        return ids;
    }

    public boolean anyLine(Predicate<String> condition) {
        return lines.stream().anyMatch(condition);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Waits for the process to end by itself and returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout + ":\n" + tail());
        }
        return process.exitValue();
    }

    /** SIGTERM, as a container runtime or Ctrl-C would, then waits for a clean exit. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        reader.join(5_000);
    }

    /** SIGKILL: the abrupt end of a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
        reader.join(5_000);
    }

    public String tail() {
        List<String> copy = lines();
        return "(whole output in target/it-output/tweetstream-" + process.pid() + ".log)\n"
                + String.join("\n", copy.subList(Math.max(0, copy.size() - 40), copy.size()));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            Files.createDirectories(OUTPUT_DIR);
            try (var copy = Files.newBufferedWriter(OUTPUT_DIR.resolve("tweetstream-" + process.pid() + ".log"))) {
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                    copy.write(line);
                    copy.newLine();
                    copy.flush();
                }
            }
        } catch (IOException e) {
            // the process ended and its output closed: nothing more to read
        }
    }
}
