package io.tweetstream.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of {@code bench/run}. */
record BenchOptions(int records, int warmup, int rate, int seconds, int memoryRecords, boolean memoryCheck,
        boolean jfr, boolean strict, Path outputDir, boolean stream, int streamRate, int streamSeconds,
        int burstRate, int burstSeconds, int fastRate) {

    static final String USAGE = """
            usage: bench/run [--records N] [--warmup W] [--rate R] [--fast-rate R] [--seconds S] [--memory-records M]
                             [--no-memory-check] [--stream-rate R] [--stream-seconds S] [--burst-rate R]
                             [--burst-seconds S] [--no-stream]
                             [--jfr] [--strict] [--out DIR]
              --records N         records of the throughput phases, the anchors' included (Kafka Connect
                                  standalone, hand-written kafka-clients code) (default 200000)
              --warmup W          records each throughput phase handles before it is timed, so the JIT
                                  has compiled the hot paths as in a long-running app (default N/2)
              --rate R            tweets per second of the end-to-end latency phase (default 1000)
              --fast-rate R       tweets per second of the second end-to-end latency phase, endToEnd10k (default 10000)
              --seconds S         length of each end-to-end latency phase (default 30)
              --memory-records M  tweets through both routes in the memory check, with -Xmx256m (default 1000000)
              --no-memory-check   skip the memory check
              --stream-rate R     posts per second the fake X filtered stream sends in the stream phase (default 250)
              --stream-seconds S  length of the stream phase at that rate (default 30)
              --burst-rate R      posts per second of the burst that follows it (default 5000)
              --burst-seconds S   length of the burst (default 10)
              --no-stream         skip the stream phase (x-v2-stream against the fake filtered stream)
              --jfr               write a JDK Flight Recording of each timed phase (DIR/<phase>.jfr)
              --strict            exit with status 3 when a target is missed
              --out DIR           where results.json, results.md and logs go (default target/bench)""";

    static BenchOptions parse(String... args) {
        int records = 200_000;
        int warmup = -1;
        int rate = 1_000;
        int seconds = 30;
        int memoryRecords = 1_000_000;
        boolean memoryCheck = true;
        boolean jfr = false;
        boolean strict = false;
        Path out = Path.of("target", "bench");
        boolean stream = true;
        int streamRate = 250;
        int streamSeconds = 30;
        int burstRate = 5_000;
        int burstSeconds = 10;
        int fastRate = 10_000;
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String arg = rest.remove(0);
            switch (arg) {
                case "--records" -> records = positive(arg, value(arg, rest));
                case "--warmup" -> warmup = number(arg, value(arg, rest), 0);
                case "--rate" -> rate = positive(arg, value(arg, rest));
                case "--fast-rate" -> fastRate = positive(arg, value(arg, rest));
                case "--seconds" -> seconds = positive(arg, value(arg, rest));
                case "--memory-records" -> memoryRecords = positive(arg, value(arg, rest));
                case "--no-memory-check" -> memoryCheck = false;
                case "--stream-rate" -> streamRate = positive(arg, value(arg, rest));
                case "--stream-seconds" -> streamSeconds = positive(arg, value(arg, rest));
                case "--burst-rate" -> burstRate = positive(arg, value(arg, rest));
                case "--burst-seconds" -> burstSeconds = positive(arg, value(arg, rest));
                case "--no-stream" -> stream = false;
                case "--jfr" -> jfr = true;
                case "--strict" -> strict = true;
                case "--out" -> out = Path.of(value(arg, rest));
                case "-h", "--help" -> throw new IllegalArgumentException("help");
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        return new BenchOptions(records, warmup < 0 ? records / 2 : warmup, rate, seconds, memoryRecords, memoryCheck,
                jfr, strict, out, stream, streamRate, streamSeconds, burstRate, burstSeconds, fastRate);
    }

    private static String value(String option, List<String> rest) {
        if (rest.isEmpty()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return rest.remove(0);
    }

    private static int positive(String option, String value) {
        return number(option, value, 1);
    }

    private static int number(String option, String value, int min) {
        try {
            int parsed = Integer.parseInt(value.replace("_", "").replace(",", ""));
            if (parsed >= min) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be a whole number of at least " + min + ", but is '"
                + value + "'");
    }
}
