package io.tweetstream.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The Jackson mapper for tweet events. Unlike Jackson's default it writes emoji and other
 * characters outside the Basic Multilingual Plane as plain UTF-8 rather than as
 * {@code \uD83D\uDE80} escape pairs, so records read as they are in kcat or a console consumer.
 */
public final class TweetJson {

    private TweetJson() {
    }

    public static ObjectMapper objectMapper() {
        return JsonMapper.builder(JsonFactory.builder()
                        .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
                        .build())
                .build();
    }
}
