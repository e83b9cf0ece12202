package io.tweetstream.source.x;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpRequestInterceptor;

/**
 * How camel-http's client (Apache HttpClient 5) talks to the X API:
 * <ul>
 * <li>it authenticates each request with the app's bearer token ({@code X_BEARER_TOKEN}) itself, so
 * the token is in no endpoint URI, message header or Camel log line (camel-http's own
 * {@code authBearerToken} option would put it in the endpoint URI, and answers only a challenge the
 * X API does not send);</li>
 * <li>it never retries on its own: HttpClient would repeat a GET answered 429 or 503 after a second,
 * ignoring {@code x-rate-limit-reset}; the poll strategy decides when to ask again.</li>
 * </ul>
 */
public class XApiClient implements HttpClientConfigurer {

    private volatile String token = "";

    @Override
    public void configureHttpClient(HttpClientBuilder clientBuilder) {
        clientBuilder.disableAutomaticRetries();
        clientBuilder.addRequestInterceptorFirst((HttpRequestInterceptor) (request, entity, context) ->
                request.setHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token));
    }

    public void setToken(String token) {
        this.token = token == null ? "" : token.strip();
    }

    @Override
    public String toString() {
        // never the token itself
        return "XApiClient[token " + (token.isEmpty() ? "missing" : "set") + "]";
    }
}
