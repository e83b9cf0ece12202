package io.tweetstream.kafka;

import java.util.Properties;

import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;

/**
 * A route test on the route files users run: application.properties and the given files of
 * {@code routes/} (with the shared beans), advised before the context starts. No broker: tests
 * replace Kafka endpoints with mocks, and topics are not checked.
 */
public abstract class RouteFileTestSupport extends CamelMainTestSupport {

    /**
     * The route files under test, e.g. {@code "kafka-to-log.camel.yaml"} under {@code routes/}, or a
     * test's own route, e.g. {@code "classpath:routes/test-source.camel.yaml"}.
     */
    protected abstract String[] routeFiles();

    /** Property overrides of this test, on top of those every route test needs. */
    protected void overrides(Properties properties) {
    }

    @Override
    public void configureTest(TestExecutionConfiguration configuration) {
        super.configureTest(configuration);
        configuration.withUseAdviceWith(true);
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return "file:application.properties";
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        StringBuilder pattern = new StringBuilder("file:routes/beans.camel.yaml");
        for (String file : routeFiles()) {
            pattern.append(',').append(file.startsWith("classpath:") ? file : "file:routes/" + file);
        }
        Properties properties = new Properties();
        properties.put("camel.main.routes-include-pattern", pattern.toString());
        properties.put("kafka.topics.create", "false");
        // no broker: start-up does not wait for one
        properties.put("kafka.startup-timeout-ms", "0");
        properties.put("tweets.dedup.repository", "memorySeenTweetIds");
        // published through the mocked kafka: endpoint; the transactions need a broker (ExactlyOnceIT)
        properties.put("tweets.exactly-once", "false");
        properties.put("errors.retry.initial-delay-ms", "10");
        overrides(properties);
        return properties;
    }
}
