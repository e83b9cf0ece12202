package io.tweetstream.event;

import java.io.IOException;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.component.jsonvalidator.DefaultJsonUriSchemaLoader;
import org.apache.camel.component.jsonvalidator.JsonValidationException;
import org.apache.camel.component.jsonvalidator.NoJsonBodyValidationException;

/**
 * Reads a consumed record's value into a {@link TweetEvent}, parsing it once: the JSON tree is
 * validated against the tweet event schema ({@code schema/tweet-event.schema.json}, loaded as
 * camel-json-validator loads it, with the same library) and then bound to the event type. (The
 * {@code json-validator:} endpoint parses a body itself and the unmarshal after it parsed it again:
 * two parses of every tweet.) A value that is not JSON fails with Jackson's exception, one that does
 * not match the schema with camel-json-validator's {@link JsonValidationException}: both are
 * permanent failures that park the record. The value as read stays in the variable {@code tweetJson}
 * for the log line, which so needs no marshalling of the event back to JSON.
 */
public class TweetEventReader implements CamelContextAware {

    /** The variable holding the value as read (the event's JSON, for the log line). */
    public static final String JSON_VARIABLE = "tweetJson";
    /** The schema, on the classpath. */
    public static final String SCHEMA = "schema/tweet-event.schema.json";

    private final ObjectMapper json = TweetJson.objectMapper();
    private CamelContext camelContext;
    private volatile JsonSchema schema;

    public TweetEvent read(byte[] value, Exchange exchange) throws IOException, org.apache.camel.ValidationException {
        JsonNode tree = value == null || value.length == 0 ? null : json.readTree(value);
        if (tree == null || tree.isMissingNode()) {
            throw new NoJsonBodyValidationException(exchange);
        }
        JsonSchema tweetEvent = schema();
        Set<ValidationMessage> errors = tweetEvent.validate(tree);
        if (!errors.isEmpty()) {
            throw new JsonValidationException(exchange, tweetEvent, errors);
        }
        exchange.setVariable(JSON_VARIABLE, value);
        return json.treeToValue(tree, TweetEvent.class);
    }

    private JsonSchema schema() {
        JsonSchema loaded = schema;
        if (loaded == null) {
            synchronized (this) {
                if (schema == null) {
                    try {
                        schema = new DefaultJsonUriSchemaLoader().createSchema(camelContext, SCHEMA);
                    } catch (Exception e) {
                        throw new IllegalStateException("Cannot load the tweet event schema " + SCHEMA + ": " + e, e);
                    }
                }
                loaded = schema;
            }
        }
        return loaded;
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
