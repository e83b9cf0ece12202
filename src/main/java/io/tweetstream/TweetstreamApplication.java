package io.tweetstream;

import io.tweetstream.kafka.EmbeddedKafkaBrokerListener;
import io.tweetstream.kafka.SaslLoginListener;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts tweetstream: camel-main with the YAML routes under {@code routes/} and the settings in
 * {@code application.properties}, both read from the working directory, plus an embedded Kafka
 * broker when {@code KAFKA_BROKERS} is not set.
 */
public final class TweetstreamApplication {

    private static final Logger LOG = LoggerFactory.getLogger(TweetstreamApplication.class);

    private TweetstreamApplication() {
    }

    public static void main(String[] args) {
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation("file:application.properties");
        // settings and the HTTP port first: a bad one stops start-up before the embedded broker starts
        main.addMainListener(new StartupSettings());
        main.addMainListener(new HttpServerPort());
        main.addMainListener(new SaslLoginListener());
        main.addMainListener(new EmbeddedKafkaBrokerListener());
        int exitCode;
        try {
            exitCode = main.run(args);
        } catch (Exception e) {
            LOG.error("tweetstream could not start: {}", rootMessage(e));
            LOG.debug("Start-up failure", e);
            exitCode = 1;
        }
        org.apache.logging.log4j.LogManager.shutdown();
        System.exit(exitCode);
    }

    /**
     * The message that names what to fix: the deepest one thrown by tweetstream's own code (Camel
     * wraps it in layers of "error creating bean ..."), else the deepest of all.
     */
    static String rootMessage(Throwable e) {
        Throwable ours = null;
        Throwable deepest = e;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            deepest = t;
            StackTraceElement[] trace = t.getStackTrace();
            if (trace.length > 0 && trace[0].getClassName().startsWith("io.tweetstream.")) {
                ours = t;
            }
        }
        Throwable chosen = ours != null ? ours : deepest;
        return chosen.getMessage() != null ? chosen.getMessage() : chosen.toString();
    }
}
