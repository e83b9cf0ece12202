package io.tweetstream.metrics;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IsoInstantsTest {

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-25T08:00:00Z", "2026-11-25T08:00:00.123Z", "2026-11-25T08:00:00.123456Z",
        "2026-11-25T08:00:00.123456789Z", "2024-02-29T23:59:59.9Z", "1970-01-01T00:00:00Z", "2026-11-25T08:00:00.1Z",
        "+12026-11-25T08:00:00Z", "2026-11-25T08:00:00+01:00", "2026-11-25T08:00:00.Z"})
    void readsWhatInstantToStringWritesExactlyAsInstantParseDoes(String text) {
        Instant expected;
        try {
            expected = Instant.parse(text);
        } catch (DateTimeParseException e) {
            assertThatThrownBy(() -> IsoInstants.parse(text)).isInstanceOf(DateTimeParseException.class);
            return;
        }
        assertThat(IsoInstants.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-13-25T08:00:00Z", "2026-11-25T25:00:00Z", "2026-11-2xT08:00:00Z", "2026-02-30T08:00:00Z",
        "not a date at all", "2026-11-25T08:00:00.1234567890Z"})
    void refusesWhatIsNotAnInstant(String text) {
        assertThatThrownBy(() -> IsoInstants.parse(text)).isInstanceOf(DateTimeParseException.class);
    }
}
