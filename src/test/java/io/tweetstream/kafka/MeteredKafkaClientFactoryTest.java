package io.tweetstream.kafka;

import java.util.Properties;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Kafka's client metrics of the clients camel-kafka creates: bound when made, gone when closed. */
class MeteredKafkaClientFactoryTest {

    @Test
    void aClientsMetersAreInTheRegistryWhileItIsOpen() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            MeterRegistry registry = new SimpleMeterRegistry();
            context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, registry);
            MeteredKafkaClientFactory factory = new MeteredKafkaClientFactory();
            factory.setCamelContext(context);
            Properties producerProps = new Properties();
            producerProps.put("bootstrap.servers", "127.0.0.1:1");
            producerProps.put("client.id", "tweets-metered");
            producerProps.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
            producerProps.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
            Properties consumerProps = new Properties();
            consumerProps.put("bootstrap.servers", "127.0.0.1:1");
            consumerProps.put("client.id", "log-metered");
            consumerProps.put("group.id", "metered");
            consumerProps.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
            consumerProps.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");

            Producer<?, ?> producer = factory.getProducer(producerProps);
            Consumer<?, ?> consumer = factory.getConsumer(consumerProps);

            assertThat(registry.find("kafka.producer.record.send.total").tag("client.id", "tweets-metered").meters())
                    .isNotEmpty();
            assertThat(registry.find("kafka.consumer.fetch.manager.records.lag.max").tag("client.id", "log-metered")
                    .meters()).isNotEmpty();
            assertThat(producer.metrics()).as("the client itself still answers").isNotEmpty();

            producer.close();
            consumer.close();

            assertThat(registry.find("kafka.producer.record.send.total").tag("client.id", "tweets-metered").meters())
                    .as("a closed client's meters go").isEmpty();
            assertThat(registry.find("kafka.consumer.fetch.manager.records.lag.max").tag("client.id", "log-metered")
                    .meters()).isEmpty();
        }
    }
}
