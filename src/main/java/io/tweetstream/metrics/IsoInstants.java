package io.tweetstream.metrics;

import java.time.Instant;
import java.time.LocalDate;

/**
 * Reads the instants tweet events carry ({@code 2026-11-25T08:00:00.123456Z}, as
 * {@link Instant#toString()} writes them) without {@link Instant#parse}, whose formatter took a
 * tenth of the consumer flow's time (two timestamps per tweet, bench/run). Anything of another
 * shape is left to {@link Instant#parse}.
 */
final class IsoInstants {

    private IsoInstants() {
    }

    static Instant parse(String text) {
        int length = text.length();
        if (length < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(length - 1) != 'Z') {
            return Instant.parse(text);
        }
        int nanos = 0;
        if (length > 20) {
            if (text.charAt(19) != '.' || length < 22 || length > 30) {
                return Instant.parse(text);
            }
            for (int i = 20; i < length - 1; i++) {
                nanos = nanos * 10 + digit(text, i);
            }
            for (int i = length - 1; i < 29; i++) {
                nanos *= 10;
            }
        }
        int year = number(text, 0, 4);
        int month = number(text, 5, 7);
        int day = number(text, 8, 10);
        int hour = number(text, 11, 13);
        int minute = number(text, 14, 16);
        int second = number(text, 17, 19);
        if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
            return Instant.parse(text);
        }
        if (day > 28 && day > LocalDate.of(year, month, 1).lengthOfMonth()) {
            return Instant.parse(text);
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    private static int number(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            value = value * 10 + digit(text, i);
        }
        return value;
    }

    private static int digit(String text, int index) {
        char c = text.charAt(index);
        if (c < '0' || c > '9') {
            throw new java.time.format.DateTimeParseException("Not an ISO-8601 instant", text, index);
        }
        return c - '0';
    }
}
