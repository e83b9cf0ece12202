package io.tweetstream.kafka;

import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** When the embedded broker starts, and the settings it refuses before it starts anything. */
class EmbeddedKafkaBrokerListenerTest {

    @Test
    void aSecurityProtocolWithoutKafkaBrokersIsRefusedNamingBothVariables() {
        Main main = main("kafka.brokers", "", "kafka.security-protocol", "SASL_SSL");

        assertThatThrownBy(() -> new EmbeddedKafkaBrokerListener().beforeConfigure(main))
                .hasMessageContaining("KAFKA_SECURITY_PROTOCOL=SASL_SSL needs KAFKA_BROKERS");
    }

    @Test
    void anEmbeddedPortThatIsNoNumberIsRefusedNamingItsVariable() {
        Main main = main("kafka.brokers", "", "kafka.embedded.port", "nine");

        assertThatThrownBy(() -> new EmbeddedKafkaBrokerListener().beforeConfigure(main))
                .hasMessageContaining("KAFKA_EMBEDDED_PORT").hasMessageContaining("'nine'");
    }

    @Test
    void noBrokerIsStartedWhenKafkaBrokersIsSet() {
        Main main = main("kafka.brokers", "broker1:9092", "kafka.embedded.port", "nine");

        new EmbeddedKafkaBrokerListener().beforeConfigure(main);

        assertThat(main.getCamelContext().getPropertiesComponent().resolveProperty("kafka.brokers"))
                .contains("broker1:9092");
    }

    private static Main main(String... keysAndValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        CamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setOverrideProperties(properties);
        return new Main() {
            @Override
            public CamelContext getCamelContext() {
                return context;
            }
        };
    }
}
