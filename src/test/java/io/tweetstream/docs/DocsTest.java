package io.tweetstream.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README is the front door and docs/ holds one guide per task: README stays short, each guide opens
 * with what the reader will have done, every example that reads the tweet topic reads it
 * read_committed, every example that starts an X source sets a daily budget, the env-file example of
 * docs/production.md survives a shell as Kafka must see it, and the licence is MIT.
 */
class DocsTest {

    private static final Path README = Path.of("README.md");
    private static final Path DOCS = Path.of("docs");
    private static final Pattern BASH_BLOCK = Pattern.compile("```bash\n(.*?)```", Pattern.DOTALL);
    private static final Pattern READS_TWEET_TOPIC = Pattern.compile(
            "(kcat|kafka-console-consumer(\\.sh)?)\\s.*(-t|--topic)\\s+rk_hadoop(\\s|$)");
    private static final Pattern STARTS_X_SOURCE = Pattern.compile("TWEETS_SOURCE=x-v2-(search|stream)\\b");

    @Test
    void readmeIsTheFrontDoorAndLinksIntoDocs() throws IOException {
        List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
        assertThat(lines).as("README.md lines").hasSizeLessThanOrEqualTo(250);
        String readme = String.join("\n", lines);
        assertThat(readme).contains("## Quick start", "docs/configuration.md", "docs/production.md", "docs/x-api.md");
    }

    @Test
    void theSettingsOfTheReadmeHaveTheDefaultsOfTheConfigurationGuide() throws IOException {
        Map<String, String> readme = defaults(README);
        Map<String, String> guide = defaults(DOCS.resolve("configuration.md"));
        assertThat(readme).as("the settings table of README").hasSize(10);
        readme.forEach((variable, value) -> assertThat(guide).as("docs/configuration.md on %s", variable)
                .containsEntry(variable, value));
    }

    @Test
    void eachGuideOpensWithWhatTheReaderWillHaveDone() throws IOException {
        List<Path> guides = guides();
        assertThat(guides).as("guides in docs/").hasSizeGreaterThanOrEqualTo(5);
        for (Path guide : guides) {
            List<String> lines = Files.readAllLines(guide, StandardCharsets.UTF_8);
            assertThat(lines.get(0)).as("%s starts with its title", guide).startsWith("# ");
            assertThat(lines.get(1)).as("%s: a blank line after the title", guide).isEmpty();
            assertThat(lines.get(2)).as("%s opens with what the reader will have done", guide)
                    .startsWith("At the end of this page you will");
        }
    }

    @Test
    void everyExampleThatReadsTheTweetTopicReadsCommittedOnly() throws IOException {
        List<String> readers = new ArrayList<>();
        for (String command : commands()) {
            if (READS_TWEET_TOPIC.matcher(command).find()) {
                readers.add(command);
            }
        }
        assertThat(readers).as("examples reading rk_hadoop").hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(command -> assertThat(command).as("reads read_committed").contains("read_committed"));
    }

    @Test
    void everyExampleThatStartsAnXSourceSetsADailyBudget() throws IOException {
        List<String> starts = commands().stream().filter(c -> STARTS_X_SOURCE.matcher(c).find()).toList();
        assertThat(starts).as("examples starting an X source").hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(command -> assertThat(command).as("sets the budget").contains("X_DAILY_POST_READS_BUDGET="));
    }

    @Test
    void theEnvFileOfTheProductionGuideSurvivesAShellAsKafkaMustSeeIt(@TempDir Path dir) throws Exception {
        String guide = Files.readString(DOCS.resolve("production.md"), StandardCharsets.UTF_8);
        Matcher heredoc = Pattern.compile("cat > kafka\\.env <<'EOF'\n(.*?)\nEOF\n", Pattern.DOTALL).matcher(guide);
        assertThat(heredoc.find()).as("a kafka.env example in docs/production.md").isTrue();
        Path file = dir.resolve("kafka.env");
        Files.writeString(file, heredoc.group(1) + "\n", StandardCharsets.UTF_8);

        Map<String, String> written = new LinkedHashMap<>();
        for (String line : heredoc.group(1).lines().toList()) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int equals = line.indexOf('=');
                written.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        assertThat(written).containsKeys("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME",
                "KAFKA_SASL_PASSWORD");

        // what the guide's commands do: set -a; . ./kafka.env, then env as docker run --env-file reads it
        Process bash = new ProcessBuilder("bash", "-c", "set -a; . ./kafka.env; env")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as("bash sources kafka.env: %s", output).isZero();
        Map<String, String> exported = new LinkedHashMap<>();
        output.lines().filter(l -> l.contains("=")).forEach(l -> exported.put(l.substring(0, l.indexOf('=')),
                l.substring(l.indexOf('=') + 1)));

        // docker run --env-file takes each value as written; the shell must give the very same
        written.forEach((name, raw) -> assertThat(exported).as("%s as the shell exports it", name).containsEntry(name, raw));
        assertThat(guide).contains("docker run --rm --env-file kafka.env");
    }

    @Test
    void theLicenceIsMit() throws IOException {
        String licence = Files.readString(Path.of("LICENSE"), StandardCharsets.UTF_8);
        assertThat(licence).startsWith("MIT License").contains("Copyright (c) 2026 tweetstream contributors",
                "THE SOFTWARE IS PROVIDED \"AS IS\"");
    }

    /** The rows of a page's tables whose first cell is one variable and whose second is its default. */
    private static Map<String, String> defaults(Path page) throws IOException {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (String line : Files.readAllLines(page, StandardCharsets.UTF_8)) {
            Matcher row = Pattern.compile("^\\| `([A-Z][A-Z0-9_]+)` \\| ([^|]+) \\|").matcher(line);
            if (row.find()) {
                defaults.put(row.group(1), row.group(2).strip());
            }
        }
        return defaults;
    }

    private static List<Path> guides() throws IOException {
        try (Stream<Path> files = Files.list(DOCS)) {
            return files.filter(f -> f.toString().endsWith(".md")).sorted().toList();
        }
    }

    /** The commands of the bash blocks of README and every page under docs/, continuation lines joined. */
    private static List<String> commands() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(README));
        try (Stream<Path> files = Files.walk(DOCS)) {
            files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        List<String> commands = new ArrayList<>();
        for (Path page : pages) {
            Matcher block = BASH_BLOCK.matcher(Files.readString(page, StandardCharsets.UTF_8));
            while (block.find()) {
                String joined = block.group(1).replaceAll("\\\\\n\\s*", " ");
                joined.lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(commands::add);
            }
        }
        return commands;
    }
}
