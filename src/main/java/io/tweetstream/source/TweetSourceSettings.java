package io.tweetstream.source;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before any route starts, that {@code TWEETS_SOURCE} names a source and that a Twitter or X
 * API source has its credentials (the four OAuth 1.0a values of the v1.1 sources, the bearer token
 * of {@code x-v2-search}), and points twitter4j at the configured REST base URL.
 *
 * <p>camel-twitter builds its twitter4j client with {@code Twitter.newBuilder()}, which reads
 * {@code twitter4j.*} system properties; {@code twitter4j.restBaseURL} is how a compatible API, a
 * proxy or a local fake is used without forking either library.
 */
public class TweetSourceSettings {

    /** The system property twitter4j 4.1 reads its REST base URL from. */
    public static final String REST_BASE_URL_PROPERTY = "twitter4j.restBaseURL";

    private static final Logger LOG = LoggerFactory.getLogger(TweetSourceSettings.class);

    private String source = "";
    private String baseUrl = "";
    private String consumerKey = "";
    private String consumerSecret = "";
    private String accessToken = "";
    private String accessTokenSecret = "";
    private String bearerToken = "";
    private String xApiBaseUrl = "";

    /** The source that polls the X API v2 recent search; the other API sources are camel-twitter (v1.1) ones. */
    public static final String X_V2_SEARCH = "x-v2-search";
    /** The source that holds the X API v2 filtered stream open. */
    public static final String X_V2_STREAM = "x-v2-stream";

    /** The values of TWEETS_SOURCE: a source route's precondition names one of them. */
    public static final List<String> SOURCES = List.of("sample", "twitter-search", "twitter-timeline",
            X_V2_SEARCH, X_V2_STREAM, "none");

    /**
     * Fails with one line naming every missing variable when a Twitter or X API source is selected,
     * then says which API the source reads and points twitter4j at the v1.1 base URL.
     */
    public void apply() {
        check();
        if (isXSource(source)) {
            LOG.info("Tweet source {}: X API v2 at {}", source, xApiBaseUrl);
            return;
        }
        if (isTwitterSource() && baseUrl != null && !baseUrl.isBlank()) {
            String url = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
            System.setProperty(REST_BASE_URL_PROPERTY, url);
            LOG.info("Twitter source {}: API v1.1 at {}", source, url);
        }
    }

    /**
     * Fails with one line when {@code TWEETS_SOURCE} names no source, or names a Twitter or X API
     * source whose credentials are missing (every missing variable named); changes nothing.
     */
    public void check() {
        if (!SOURCES.contains(source)) {
            throw new IllegalStateException("TWEETS_SOURCE=" + source + " is not a tweet source; use one of "
                    + String.join(", ", SOURCES) + " (none: consume only)");
        }
        if (isXSource(source)) {
            if (bearerToken == null || bearerToken.isBlank()) {
                throw new IllegalStateException("TWEETS_SOURCE=" + source + " needs an X API bearer token in the"
                        + " environment; missing: X_BEARER_TOKEN (or set TWEETS_SOURCE=sample to run without X)");
            }
            return;
        }
        if (!isTwitterSource()) {
            return;
        }
        Map<String, String> credentials = new LinkedHashMap<>();
        credentials.put("TWITTER_CONSUMER_KEY", consumerKey);
        credentials.put("TWITTER_CONSUMER_SECRET", consumerSecret);
        credentials.put("TWITTER_ACCESS_TOKEN", accessToken);
        credentials.put("TWITTER_ACCESS_TOKEN_SECRET", accessTokenSecret);
        List<String> missing = new ArrayList<>();
        credentials.forEach((variable, value) -> {
            if (value == null || value.isBlank()) {
                missing.add(variable);
            }
        });
        if (!missing.isEmpty()) {
            throw new IllegalStateException("TWEETS_SOURCE=" + source + " needs Twitter API credentials in the"
                    + " environment; missing: " + String.join(", ", missing)
                    + " (or set TWEETS_SOURCE=sample to run without Twitter)");
        }
    }

    private boolean isTwitterSource() {
        return source != null && source.startsWith("twitter-");
    }

    /** Whether the source reads the Twitter or X API (v1.1 through camel-twitter, or v2). */
    public static boolean isApiSource(String source) {
        return source != null && (source.startsWith("twitter-") || isXSource(source));
    }

    /** Whether the source reads the X API v2 with a bearer token (recent search or the filtered stream). */
    public static boolean isXSource(String source) {
        return X_V2_SEARCH.equals(source) || X_V2_STREAM.equals(source);
    }

    public void setSource(String source) {
        this.source = source;
    }

    public void setBaseUrl(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public void setConsumerKey(String consumerKey) {
        this.consumerKey = consumerKey;
    }

    public void setConsumerSecret(String consumerSecret) {
        this.consumerSecret = consumerSecret;
    }

    public void setAccessToken(String accessToken) {
        this.accessToken = accessToken;
    }

    public void setAccessTokenSecret(String accessTokenSecret) {
        this.accessTokenSecret = accessTokenSecret;
    }

    public void setBearerToken(String bearerToken) {
        this.bearerToken = bearerToken;
    }

    public void setXApiBaseUrl(String xApiBaseUrl) {
        this.xApiBaseUrl = xApiBaseUrl;
    }

    @Override
    public String toString() {
        // Never the credentials themselves.
        return "TweetSourceSettings[source=" + source + ", baseUrl=" + baseUrl + "]";
    }
}
