package io.tweetstream;

import io.tweetstream.kafka.EmbeddedKafkaBrokerListener;
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

    private static String rootMessage(Throwable e) {
        StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
                message.append(": ").append(cause.getMessage());
            }
        }
        return message.toString();
    }
}
