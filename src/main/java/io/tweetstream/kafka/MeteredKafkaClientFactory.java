package io.tweetstream.kafka;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Properties;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * camel-kafka's client factory, with Kafka's own client metrics of every producer and consumer the
 * routes create bound to the app's meter registry (Micrometer's {@link KafkaClientMetrics}: send and
 * error rates, request latency, records-lag per partition, ... as {@code kafka_producer_*} and
 * {@code kafka_consumer_*}, tagged with the client id). A client's meters go when camel-kafka closes it
 * (a route stopped or reloaded), so none outlives its client.
 */
public class MeteredKafkaClientFactory extends DefaultKafkaClientFactory implements CamelContextAware {

    private CamelContext camelContext;

    @Override
    public Producer getProducer(Properties kafkaProps) {
        return metered(super.getProducer(kafkaProps), Producer.class);
    }

    @Override
    public Consumer getConsumer(Properties kafkaProps) {
        return metered(super.getConsumer(kafkaProps), Consumer.class);
    }

    private <T> T metered(T client, Class<T> type) {
        if (camelContext == null) {
            return client;
        }
        MeterRegistry registry = MicrometerUtils.getOrCreateMeterRegistry(camelContext.getRegistry(),
                MicrometerConstants.METRICS_REGISTRY_NAME);
        KafkaClientMetrics metrics = client instanceof Producer<?, ?> producer ? new KafkaClientMetrics(producer)
                : new KafkaClientMetrics((Consumer<?, ?>) client);
        metrics.bindTo(registry);
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("close")) {
                metrics.close();
            }
            try {
                return method.invoke(client, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }
}
