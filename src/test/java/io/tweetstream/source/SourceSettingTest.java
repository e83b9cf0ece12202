package io.tweetstream.source;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SourceSettingTest {

    @Test
    void aNumberIsReadWithSpacesAround() {
        assertThat(SourceSetting.number("X_STREAM_STALL_TIMEOUT_MS", " 30000 ", 1, "milliseconds")).isEqualTo(30000);
    }

    @Test
    void aValueThatIsNoNumberNamesTheVariableAndWhatItCounts() {
        assertThatThrownBy(() -> SourceSetting.number("X_STREAM_STALL_TIMEOUT_MS", "abc", 1, "milliseconds"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("X_STREAM_STALL_TIMEOUT_MS=abc is not a whole number of milliseconds");
    }

    @Test
    void aNumberBelowTheLeastNamesTheVariableAndTheLeast() {
        assertThatThrownBy(() -> SourceSetting.number("X_STREAM_GAP_FILL_MAX_PAGES", "0", 1, "pages"))
                .hasMessage("X_STREAM_GAP_FILL_MAX_PAGES=0: it must be at least 1 (pages)");
    }

    @Test
    void aFlagIsTrueOrFalseInAnyCaseAndNothingElse() {
        assertThat(SourceSetting.flag("X_STREAM_GAP_FILL", "TRUE")).isTrue();
        assertThat(SourceSetting.flag("X_STREAM_GAP_FILL", "false")).isFalse();
        assertThatThrownBy(() -> SourceSetting.flag("X_STREAM_GAP_FILL", "yes"))
                .hasMessage("X_STREAM_GAP_FILL=yes is neither true nor false");
    }
}
