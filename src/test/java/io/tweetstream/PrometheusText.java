package io.tweetstream;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Figures read from the app's Prometheus text (/observe/metrics), as the integration tests check them. */
public final class PrometheusText {

    private PrometheusText() {
    }

    /** The values of the series of metric {@code name} whose tags contain {@code tag} ("" for any). */
    public static List<Double> values(String metrics, String name, String tag) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{([^}]*)})? (\\S+)$").matcher(metrics);
        List<Double> values = new ArrayList<>();
        while (matcher.find()) {
            if (tag.isEmpty() || matcher.group(2) != null && matcher.group(2).contains(tag)) {
                values.add(Double.parseDouble(matcher.group(3)));
            }
        }
        return values;
    }

    /** The sum over those series (0 when there is none). */
    public static double sum(String metrics, String name, String tag) {
        return values(metrics, name, tag).stream().mapToDouble(Double::doubleValue).sum();
    }

    /** The value of the one such series; fails when there is none or more than one. */
    public static double single(String metrics, String name, String tag) {
        List<Double> values = values(metrics, name, tag);
        assertThat(values).as("%s{%s} in\n%s", name, tag, metrics).hasSize(1);
        return values.get(0);
    }
}
