package io.tweetstream.source.xstream;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.tweetstream.source.x.XApiClient;
import io.tweetstream.source.x.XApiPath;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * The HTTP exchanges of the filtered-stream source with the X API v2 (Apache HttpClient 5, the client
 * camel-http uses, configured by {@link XApiClient}: the bearer token added to each request by the
 * client itself, no retries of its own). Paths are relative to {@code X_API_BASE_URL} as for
 * {@code x-v2-search}: {@code tweets/search/stream} after {@code https://api.x.com/2/},
 * {@code 2/tweets/search/stream} after a bare host.
 *
 * <p>A stream is read with a socket time-out of the stall time-out: a read that gets no byte (no
 * post, no keep-alive) for that long fails, which is how a stall is noticed.
 */
public class XApiHttp implements AutoCloseable {

    /** An answer read whole: status, headers by lower-case name, body. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public UnaryOperator<String> header() {
            return name -> headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final String baseUrl;
    private final CloseableHttpClient client;
    private final Duration timeout;

    public XApiHttp(String baseUrl, XApiClient auth, Duration timeout) {
        this.baseUrl = baseUrl == null ? "" : baseUrl.strip();
        this.timeout = timeout;
        HttpClientBuilder builder = HttpClientBuilder.create()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(timeout)).setSocketTimeout(Timeout.of(timeout)).build())
                        .build())
                .disableCookieManagement()
                .disableRedirectHandling();
        auth.configureHttpClient(builder);
        this.client = builder.build();
    }

    /** The URL of a path below X_API_BASE_URL, with this query (values URL-encoded); never a secret. */
    public String url(String path, Map<String, String> query) {
        String base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
        String full = base + XApiPath.below(base, path);
        StringBuilder url = new StringBuilder(full);
        char separator = '?';
        for (Map.Entry<String, String> parameter : query.entrySet()) {
            url.append(separator).append(parameter.getKey()).append('=')
                    .append(URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8).replace("+", "%20"));
            separator = '&';
        }
        return url.toString();
    }

    public Answer get(String path, Map<String, String> query) throws IOException {
        return execute(new HttpGet(url(path, query)));
    }

    public Answer post(String path, Map<String, String> query, String json) throws IOException {
        HttpPost post = new HttpPost(url(path, query));
        post.setEntity(new StringEntity(json, ContentType.APPLICATION_JSON));
        return execute(post);
    }

    /**
     * Opens a stream: the answer's status line and headers are read, its body is left to the
     * caller, read with {@code stallTimeout} as the socket time-out. The caller closes the response
     * (or cancels the request from another thread to end a blocked read).
     */
    public ClassicHttpResponse open(HttpGet request, Duration stallTimeout) throws IOException {
        request.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(stallTimeout))
                .setConnectionRequestTimeout(Timeout.of(timeout)).build());
        return client.executeOpen(null, request, null);
    }

    /** The headers of an answer by lower-case name (the last of a repeated header). */
    public static Map<String, String> headers(org.apache.hc.core5.http.HttpResponse response) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : response.getHeaders()) {
            headers.put(header.getName().toLowerCase(Locale.ROOT), header.getValue());
        }
        return headers;
    }

    private Answer execute(HttpUriRequestBase request) throws IOException {
        request.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(timeout))
                .setConnectionRequestTimeout(Timeout.of(timeout)).build());
        return client.execute(request, response -> new Answer(response.getCode(), headers(response),
                response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8)));
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
