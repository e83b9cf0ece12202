package io.tweetstream.metrics;

import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;

/**
 * The registry the app's meters go to (camel-micrometer's, the one /observe/metrics shows) and the
 * {@code camelContext} tag they carry; without a Camel context (a unit test) a registry of its own.
 */
public final class AppMeters {

    private AppMeters() {
    }

    public static MeterRegistry registry(CamelContext camelContext) {
        return camelContext == null ? new SimpleMeterRegistry()
                : MicrometerUtils.getOrCreateMeterRegistry(camelContext.getRegistry(), MicrometerConstants.METRICS_REGISTRY_NAME);
    }

    public static List<Tag> contextTag(CamelContext camelContext) {
        return camelContext == null ? List.of()
                : List.of(Tag.of(MicrometerConstants.CAMEL_CONTEXT_TAG, camelContext.getName()));
    }
}
