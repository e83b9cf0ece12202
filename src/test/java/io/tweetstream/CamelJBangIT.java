package io.tweetstream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same route files and application.properties run by Camel JBang ({@code camel run}, its main
 * from Maven Central) instead of the packaged app, with the jar's classes for the beans, against
 * the standalone development broker: the commands of docs/development.md, and the sample tweets flow.
 */
class CamelJBangIT {

    private static final Path PROJECT = Path.of("src/it/camel-jbang");
    private static final Duration BUDGET = Duration.ofSeconds(90);

    @TempDir
    Path work;

    @TempDir
    Path kafkaData;

    @Test
    void theRouteFilesRunWithCamelJBangAndTheSampleTweetsFlow() throws Exception {
        String classpath = camelJBangClasspath();
        copyProjectFiles();
        Set<String> sampleIds = Tweets.sampleIds();
        int kafkaPort = TweetstreamProcess.freePort();

        try (TweetstreamProcess broker = TweetstreamProcess.run(
                List.of(TweetstreamProcess.java(), "-cp", TweetstreamProcess.jar().toString(),
                        "io.tweetstream.kafka.StandaloneKafkaBroker"),
                Path.of(""), Map.of(
                        "KAFKA_EMBEDDED_PORT", Integer.toString(kafkaPort),
                        "KAFKA_EMBEDDED_DATA_DIR", kafkaData.toString()))) {
            broker.awaitLine(line -> line.contains("Kafka is ready for clients at 127.0.0.1:" + kafkaPort), BUDGET);

            long started = System.nanoTime();
            try (TweetstreamProcess camel = TweetstreamProcess.run(camelRun(classpath), work, Map.of(
                    "KAFKA_BROKERS", "127.0.0.1:" + kafkaPort,
                    "TWEETS_SAMPLE_LOOP", "false",
                    "TWEETS_SAMPLE_RATE", "0"))) {
                camel.awaitLine(line -> line.contains("Apache Camel (JBang)"), BUDGET);
                camel.awaitLine(line -> new HashSet<>(camel.loggedTweetIds()).containsAll(sampleIds), BUDGET);
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                System.out.printf("Camel JBang: start to the whole sample consumed in %d ms%n", took.toMillis());

                assertThat(camel.loggedTweetIds()).hasSameSizeAs(sampleIds).doesNotHaveDuplicates();
                assertThat(camel.get("/observe/health").getKey()).as("health of the JBang run").isEqualTo(200);
                assertThat(camel.lines()).anyMatch(line -> line.contains("Additional jars added to classpath")
                        && line.contains("tweetstream.jar"));
                assertThat(camel.lines()).noneMatch(line -> line.contains(" ERROR "));
                assertThat(took).isLessThan(BUDGET);
            }
        }
    }

    /** camel run with the route files, the jar (classes of the beans) and application.properties. */
    private List<String> camelRun(String classpath) throws IOException {
        List<String> command = new ArrayList<>(List.of(TweetstreamProcess.java(), "-cp", classpath,
                PROJECT.resolve("CamelJBang.java").toAbsolutePath().toString(), "run"));
        try (Stream<Path> routes = Files.list(work.resolve("routes"))) {
            routes.map(route -> "routes/" + route.getFileName()).sorted().forEach(command::add);
        }
        command.add(TweetstreamProcess.jar().toString());
        command.add("--properties=application.properties");
        command.add("--logging-color=false");
        return command;
    }

    /** A project directory of one's own: routes/ and application.properties, as in the repository. */
    private void copyProjectFiles() throws IOException {
        Files.createDirectories(work.resolve("routes"));
        try (Stream<Path> routes = Files.list(Path.of("routes"))) {
            for (Path route : routes.toList()) {
                Files.copy(route, work.resolve("routes").resolve(route.getFileName()));
            }
        }
        Files.copy(Path.of("application.properties"), work.resolve("application.properties"));
    }

    /** camel-jbang-core and its dependencies, resolved by Maven from src/it/camel-jbang/pom.xml. */
    private static String camelJBangClasspath() throws Exception {
        Path output = Path.of("target/camel-jbang.classpath").toAbsolutePath();
        String mavenHome = System.getProperty("maven.home");
        String mvn = mavenHome != null ? Path.of(mavenHome, "bin", "mvn").toString() : "mvn";
        List<String> command = new ArrayList<>(List.of(mvn, "-B", "-q", "-f", PROJECT.resolve("pom.xml").toString(),
                "dependency:build-classpath", "-Dmdep.outputFile=" + output,
                "-Dcamel.version=" + System.getProperty("camel.version", "4.17.0")));
        if (System.getProperty("maven.repo.local") != null) {
            command.add("-Dmaven.repo.local=" + System.getProperty("maven.repo.local"));
        }
        Process maven = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Path.of("target/camel-jbang-resolve.log").toFile()).start();
        assertThat(maven.waitFor(5, TimeUnit.MINUTES)).as("Maven resolved Camel JBang in time").isTrue();
        assertThat(maven.exitValue()).as("Maven resolving Camel JBang (target/camel-jbang-resolve.log)").isZero();
        return Files.readString(output).strip();
    }
}
