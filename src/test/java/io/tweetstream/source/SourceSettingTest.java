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

    @Test
    void aDecimalIsReadAndANegativeOrNoNumberNamesTheVariable() {
        assertThat(SourceSetting.decimal("X_POST_READ_PRICE_USD", " 0.005 ", "US dollars a post read")).isEqualTo(0.005);
        assertThatThrownBy(() -> SourceSetting.decimal("X_POST_READ_PRICE_USD", "-1", "US dollars a post read"))
                .hasMessage("X_POST_READ_PRICE_USD=-1: it must be at least 0 (US dollars a post read)");
        assertThatThrownBy(() -> SourceSetting.decimal("X_POST_READ_PRICE_USD", "NaN", "US dollars a post read"))
                .hasMessage("X_POST_READ_PRICE_USD=NaN is not a decimal number of US dollars a post read");
    }
}
