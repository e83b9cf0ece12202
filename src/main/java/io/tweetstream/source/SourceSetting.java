package io.tweetstream.source;

import java.util.Locale;

/**
 * Reads a source's numeric and yes/no settings from their text, so that a value that is no number
 * stops start-up with a line naming the variable the user set ({@code X_STREAM_STALL_TIMEOUT_MS=abc
 * is not a whole number of milliseconds}) instead of Java's {@code For input string: "abc"}.
 */
public final class SourceSetting {

    private SourceSetting() {
    }

    /** A whole number of at least {@code min}; {@code what} says what it counts (milliseconds, pages). */
    public static long number(String variable, String value, long min, String what) {
        String text = value == null ? "" : value.strip();
        long number;
        try {
            number = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + "=" + text + " is not a whole number of " + what);
        }
        if (number < min) {
            throw new IllegalArgumentException(variable + "=" + text + ": it must be at least " + min + " (" + what + ")");
        }
        return number;
    }

    /** A decimal number of at least 0 ({@code 0.005}); {@code what} says what it counts (US dollars a post read). */
    public static double decimal(String variable, String value, String what) {
        String text = value == null ? "" : value.strip();
        double number;
        try {
            number = new java.math.BigDecimal(text).doubleValue();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + "=" + text + " is not a decimal number of " + what);
        }
        if (number < 0) {
            throw new IllegalArgumentException(variable + "=" + text + ": it must be at least 0 (" + what + ")");
        }
        return number;
    }

    /** {@code true} or {@code false}, in any case. */
    public static boolean flag(String variable, String value) {
        String text = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(variable + "=" + value + " is neither true nor false");
        };
    }
}
