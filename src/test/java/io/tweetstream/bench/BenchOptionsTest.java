package io.tweetstream.bench;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchOptionsTest {

    @Test
    void defaultsAreThoseReadmeStates() {
        BenchOptions options = BenchOptions.parse();

        assertThat(options.records()).isEqualTo(200_000);
        assertThat(options.warmup()).as("half the records").isEqualTo(100_000);
        assertThat(options.rate()).isEqualTo(1_000);
        assertThat(options.fastRate()).isEqualTo(10_000);
        assertThat(options.seconds()).isEqualTo(30);
        assertThat(options.memoryRecords()).isEqualTo(1_000_000);
        assertThat(options.memoryCheck()).isTrue();
        assertThat(options.strict()).isFalse();
        assertThat(options.outputDir()).isEqualTo(Path.of("target", "bench"));
        assertThat(options.stream()).isTrue();
        assertThat(options.streamRate()).isEqualTo(250);
        assertThat(options.streamSeconds()).isEqualTo(30);
        assertThat(options.burstRate()).isEqualTo(5_000);
        assertThat(options.burstSeconds()).isEqualTo(10);
    }

    @Test
    void readsEveryOption() {
        BenchOptions options = BenchOptions.parse("--records", "5,000", "--warmup", "0", "--rate", "200", "--seconds",
                "3", "--memory-records", "10_000", "--no-memory-check", "--jfr", "--strict", "--out", "/tmp/b",
                "--stream-rate", "100", "--stream-seconds", "2", "--burst-rate", "1,000", "--burst-seconds", "1",
                "--no-stream", "--fast-rate", "2,000");

        assertThat(options).isEqualTo(new BenchOptions(5_000, 0, 200, 3, 10_000, false, true, true, Path.of("/tmp/b"),
                false, 100, 2, 1_000, 1, 2_000));
    }

    @Test
    void helpNamesEveryOption() {
        assertThatThrownBy(() -> BenchOptions.parse("--help")).hasMessage("help");
        assertThat(BenchOptions.USAGE).contains("--records", "--warmup", "--rate", "--fast-rate", "--seconds", "--memory-records",
                "--no-memory-check", "--stream-rate", "--stream-seconds", "--burst-rate", "--burst-seconds",
                "--no-stream", "--jfr", "--strict", "--out");
    }

    @Test
    void refusesWhatItCannotRunWithAMessageNamingTheOption() {
        assertThatThrownBy(() -> BenchOptions.parse("--records", "0")).hasMessageContaining("--records");
        assertThatThrownBy(() -> BenchOptions.parse("--rate", "lots")).hasMessageContaining("--rate")
                .hasMessageContaining("lots");
        assertThatThrownBy(() -> BenchOptions.parse("--seconds")).hasMessageContaining("--seconds needs a value");
        assertThatThrownBy(() -> BenchOptions.parse("--turbo")).hasMessageContaining("unknown option --turbo");
        assertThatThrownBy(() -> BenchOptions.parse("--burst-rate", "0")).hasMessageContaining("--burst-rate");
        assertThatThrownBy(() -> BenchOptions.parse("--fast-rate", "0")).hasMessageContaining("--fast-rate");
    }
}
