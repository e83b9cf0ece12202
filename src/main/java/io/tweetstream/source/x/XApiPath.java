package io.tweetstream.source.x;

import java.net.URI;

/** Where an endpoint of the X API v2 is below X_API_BASE_URL. */
public final class XApiPath {

    private XApiPath() {
    }

    /**
     * The request path after X_API_BASE_URL: {@code tweets/search/recent} after a base that names the
     * API version ({@code https://api.x.com/2/}), {@code 2/tweets/search/recent} after a bare host
     * ({@code http://127.0.0.1:8089}).
     */
    public static String below(String apiBaseUrl, String path) {
        String basePath;
        try {
            basePath = URI.create(apiBaseUrl).getPath();
        } catch (IllegalArgumentException e) {
            basePath = null;
        }
        return basePath == null || basePath.isEmpty() || basePath.equals("/") ? "2/" + path : path;
    }
}
