package io.tweetstream.xv2;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpRequestInterceptor;

/**
 * Authenticates the X API v2 requests with the app's bearer token ({@code X_BEARER_TOKEN}): the HTTP
 * client itself adds {@code Authorization: Bearer ...} to each request it sends. The token is thus
 * in no endpoint URI, no message header and no log line of Camel's (camel-http's own
 * {@code authBearerToken} option would put it in the endpoint URI, and answers only a challenge the
 * X API does not send).
 */
public class XBearerAuth implements HttpClientConfigurer {

    private volatile String token = "";

    @Override
    public void configureHttpClient(HttpClientBuilder clientBuilder) {
        clientBuilder.addRequestInterceptorFirst((HttpRequestInterceptor) (request, entity, context) ->
                request.setHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token));
    }

    public void setToken(String token) {
        this.token = token == null ? "" : token.strip();
    }

    @Override
    public String toString() {
        // never the token itself
        return "XBearerAuth[token " + (token.isEmpty() ? "missing" : "set") + "]";
    }
}
