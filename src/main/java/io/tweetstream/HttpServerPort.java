package io.tweetstream;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.camel.CamelContext;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import io.vertx.core.net.impl.TCPServerBase;

/**
 * The port of the app's HTTP server ({@code /observe/health}, {@code /observe/metrics}):
 * {@code CAMEL_SERVER_PORT} on {@code CAMEL_SERVER_HOST}. A port in use stops start-up with one line
 * naming the variable, before the embedded broker or any route starts (the port is bound for a
 * moment to find out); and should another process take it in between, Camel's HTTP server failing to
 * bind stops start-up the same way, before the routes start, instead of the app running on with no
 * health and no metrics (Vert.x only logs that failure).
 */
final class HttpServerPort extends MainListenerSupport implements StartupListener {

    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();

    /** Where a server of the app listens, and the variable that sets its port. */
    private record Endpoint(String host, int port, String variable) {

        IllegalStateException inUse() {
            return new IllegalStateException(variable + " " + port + " is already in use on " + host + "; set "
                    + variable + " to a free port");
        }
    }

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent properties = main.getCamelContext().getPropertiesComponent();
        if (enabled(properties, "camel.server.enabled", false)) {
            add(properties, "camel.server", "CAMEL_SERVER_PORT");
        }
        if (enabled(properties, "camel.management.enabled", false)) {
            boolean sameAsServer = properties.resolveProperty("camel.management.port")
                    .equals(properties.resolveProperty("camel.server.port"));
            add(properties, "camel.management", sameAsServer ? "CAMEL_SERVER_PORT" : "CAMEL_MANAGEMENT_PORT");
        }
        for (Endpoint endpoint : endpoints.values()) {
            checkFree(endpoint);
        }
        try {
            main.getCamelContext().addStartupListener(this);
        } catch (Exception e) {
            throw RuntimeCamelException.wrapRuntimeCamelException(e);
        }
    }

    /**
     * Called once Camel's services, the HTTP server among them, have started and before the routes
     * start: a server that could not bind its port stops start-up.
     */
    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        VertxPlatformHttpServer server = context.hasService(VertxPlatformHttpServer.class);
        if (alreadyStarted || server == null || endpoints.isEmpty()) {
            return;
        }
        // Vert.x 4.5 keeps the asked-for port as the actual one even when the bind failed; whether it
        // listens is only said by its server base class
        if (server.getServer() instanceof TCPServerBase base && !base.isListening()) {
            Endpoint configured = endpoints.values().stream().filter(e -> e.port() == server.getConfigurationPort())
                    .findFirst().orElse(endpoints.values().iterator().next());
            throw configured.inUse();
        }
    }

    private void add(PropertiesComponent properties, String prefix, String variable) {
        String host = property(properties, prefix + ".host").orElse("0.0.0.0");
        String portText = property(properties, prefix + ".port").orElse("8080");
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + "=" + portText + " is not a port number (1 to 65535)");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(variable + "=" + portText + " is not a port number (1 to 65535)");
        }
        endpoints.putIfAbsent(host + ":" + port, new Endpoint(host, port, variable));
    }

    /** Binds the port for a moment: in use, it stops start-up with the line naming the variable. */
    private static void checkFree(Endpoint endpoint) {
        if (endpoint.port() == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(endpoint.host(), endpoint.port()));
        } catch (BindException e) {
            throw endpoint.inUse();
        } catch (IOException e) {
            throw new IllegalStateException("The HTTP server cannot listen on " + endpoint.host() + ":" + endpoint.port()
                    + " (" + e.getMessage() + "); check CAMEL_SERVER_HOST and " + endpoint.variable(), e);
        }
    }

    private static boolean enabled(PropertiesComponent properties, String key, boolean defaultValue) {
        return property(properties, key).map(Boolean::parseBoolean).orElse(defaultValue);
    }

    private static Optional<String> property(PropertiesComponent properties, String key) {
        return properties.resolveProperty(key).map(String::strip).filter(value -> !value.isEmpty());
    }
}
