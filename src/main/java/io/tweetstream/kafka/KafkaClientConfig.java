package io.tweetstream.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.PropertyBindingSupport;
import org.apache.camel.util.StringHelper;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the Kafka clients tweetstream opens itself (admin clients for topics, health and lag; the
 * dedup repository's producer and consumer) connect: the brokers and the security settings (SASL,
 * TLS) of the camel-kafka component. In the app they are read from the component's own options,
 * {@code camel.component.kafka.*} (application.properties maps the {@code kafka.*} keys to them:
 * {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_*}, {@code KAFKA_SSL_*}), bound to a camel-kafka
 * configuration as camel-main binds them, so there is one list of Kafka options: any other security
 * option or additional property set there reaches these clients too. (The route files' beans are
 * created before camel-main configures the component, so the component itself cannot be asked.)
 *
 * <p>Settings are applied as camel-kafka applies them: empty means Kafka's default, TLS settings
 * only with {@code SSL}/{@code SASL_SSL}. {@link #check()} stops start-up with a message naming the
 * variable to fix. No secret is ever part of a message, a log line or {@link #toString()}.
 */
public class KafkaClientConfig implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaClientConfig.class);
    private static final List<String> PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    /** Mechanisms whose login module needs a JAAS entry with the credentials. */
    private static final List<String> CREDENTIAL_MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER");
    /** A JAAS entry: login module class, control flag, options, final semicolon. */
    private static final Pattern JAAS_ENTRY = Pattern.compile(
            "\\s*[\\w.$]+\\s+(required|requisite|sufficient|optional)(\\s+.*)?;\\s*", Pattern.DOTALL);

    private String bootstrapServers = "";
    private String securityProtocol = "PLAINTEXT";
    private String saslMechanism = "";
    private String saslJaasConfig = "";
    private String sslTruststoreLocation = "";
    private String sslTruststorePassword = "";
    private String sslTruststoreType = "";
    private String sslKeystoreLocation = "";
    private String sslKeystorePassword = "";
    private String sslKeystoreType = "";
    private String sslKeyPassword = "";
    private String sslEndpointIdentificationAlgorithm = "https";
    /** The component's other settings for every Kafka client: further TLS/SASL options, additional properties. */
    private Map<String, Object> componentSettings = Map.of();
    private java.time.Duration startupTimeout = java.time.Duration.ofSeconds(60);
    private CamelContext camelContext;

    /** A PLAINTEXT connection to these brokers (tests, tools). */
    public static KafkaClientConfig plaintext(String bootstrapServers) {
        KafkaClientConfig config = new KafkaClientConfig();
        config.setBootstrapServers(bootstrapServers);
        return config;
    }

    /** The component options that make a connection: security, SASL, TLS, Kerberos, additional properties. */
    private static final Pattern CONNECTION_OPTION = Pattern.compile(
            "(security-|sasl-|ssl-|kerberos-|additional-properties).*");
    private static final String COMPONENT = "camel.component.kafka.";
    private static final String COMPONENT_ENV = "CAMEL_COMPONENT_KAFKA_";

    /**
     * The security settings of camel-kafka's component as the app configures it: its connection
     * options ({@code camel.component.kafka.*}, also from {@code CAMEL_COMPONENT_KAFKA_*} variables)
     * bound to a camel-kafka configuration; the brokers stay this object's ({@code KAFKA_BROKERS}, or
     * the embedded broker's address).
     */
    void takeComponentSettings(CamelContext context) {
        PropertiesComponent properties = context.getPropertiesComponent();
        Map<String, Object> options = new LinkedHashMap<>();
        for (String key : properties.loadProperties(key -> key.startsWith(COMPONENT)).stringPropertyNames()) {
            String option = key.substring(COMPONENT.length());
            if (CONNECTION_OPTION.matcher(option).matches()) {
                properties.resolveProperty(key).ifPresent(value -> options.put(option, value));
            }
        }
        System.getenv().forEach((name, value) -> {
            if (name.startsWith(COMPONENT_ENV)) {
                String option = name.substring(COMPONENT_ENV.length()).toLowerCase(Locale.ROOT).replace('_', '-');
                if (CONNECTION_OPTION.matcher(option).matches()) {
                    options.put(option, value);
                }
            }
        });
        KafkaConfiguration kafka = new KafkaConfiguration();
        Map<String, Object> camelCase = new LinkedHashMap<>();
        options.forEach((option, value) -> camelCase.put(camelCase(option), value));
        PropertyBindingSupport.build().withCamelContext(context).withTarget(kafka).withProperties(camelCase)
                .withIgnoreCase(true).withRemoveParameters(false).bind();
        take(kafka);
    }

    /** The security settings of a camel-kafka configuration, and every other option it gives its clients that any Kafka client takes. */
    void take(KafkaConfiguration kafka) {
        setSecurityProtocol(kafka.getSecurityProtocol());
        setSaslMechanism(kafka.getSaslMechanism());
        setSaslJaasConfig(kafka.getSaslJaasConfig());
        setSslTruststoreLocation(kafka.getSslTruststoreLocation());
        setSslTruststorePassword(kafka.getSslTruststorePassword());
        setSslTruststoreType(kafka.getSslTruststoreType());
        setSslKeystoreLocation(kafka.getSslKeystoreLocation());
        setSslKeystorePassword(kafka.getSslKeystorePassword());
        setSslKeystoreType(kafka.getSslKeystoreType());
        setSslKeyPassword(kafka.getSslKeyPassword());
        setSslEndpointIdentificationAlgorithm(kafka.getSslEndpointAlgorithm());
        Map<String, Object> settings = new LinkedHashMap<>();
        Map<String, Object> additional = kafka.getAdditionalProperties() == null ? Map.of() : kafka.getAdditionalProperties();
        kafka.createConsumerProperties().forEach((key, value) -> {
            String name = key.toString();
            boolean connection = name.startsWith("ssl.") || name.startsWith("sasl.") || additional.containsKey(name);
            if (connection && AdminClientConfig.configNames().contains(name)) {
                settings.put(name, value);
            }
        });
        componentSettings = Map.copyOf(settings);
    }

    /** {@code additional-properties[x.y]} -> {@code additionalProperties[x.y]}, {@code ssl-truststore-type} -> {@code sslTruststoreType}. */
    private static String camelCase(String option) {
        int bracket = option.indexOf('[');
        return bracket < 0 ? StringHelper.dashToCamelCase(option)
                : StringHelper.dashToCamelCase(option.substring(0, bracket)) + option.substring(bracket);
    }

    /**
     * Fails with one message naming the variable to fix when the settings cannot work together;
     * warns about settings the security protocol ignores; logs the security in use (no secret).
     * In the app (a Camel context set), the security settings are first taken from camel-kafka's
     * component options.
     */
    public void check() {
        if (camelContext != null) {
            takeComponentSettings(camelContext);
        }
        List<String> problems = new ArrayList<>();
        String protocol = securityProtocol;
        if (!PROTOCOLS.contains(protocol)) {
            throw new IllegalStateException("KAFKA_SECURITY_PROTOCOL=" + protocol + " is not a Kafka security protocol;"
                    + " use one of " + String.join(", ", PROTOCOLS) + " (upper case)");
        }
        if (isSasl()) {
            String mechanism = effectiveSaslMechanism();
            if (saslJaasConfig.isEmpty() && CREDENTIAL_MECHANISMS.contains(mechanism)) {
                problems.add("KAFKA_SECURITY_PROTOCOL=" + protocol + " with SASL mechanism " + mechanism
                        + " needs KAFKA_SASL_JAAS_CONFIG, the login module with the credentials, e.g. "
                        + "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"...\" password=\"...\";");
            }
            if (!saslJaasConfig.isEmpty()) {
                if (!JAAS_ENTRY.matcher(saslJaasConfig).matches()) {
                    problems.add("KAFKA_SASL_JAAS_CONFIG is not a JAAS entry of the form <login module class> required"
                            + " key=\"value\" ...; (check the quotes and the final ';')");
                }
                SaslLoginListener.expectedMechanism(saslJaasConfig).filter(expected -> !expected.contains(mechanism))
                        .ifPresent(expected -> problems.add("KAFKA_SASL_JAAS_CONFIG uses "
                                + SaslLoginListener.loginModule(saslJaasConfig) + ", which needs KAFKA_SASL_MECHANISM="
                                + String.join(" or ", expected) + " (it is " + mechanism
                                + (saslMechanism.isEmpty() ? ", Kafka's default" : "") + ")"));
            }
        } else if (!saslJaasConfig.isEmpty() || !saslMechanism.isEmpty()) {
            LOG.warn("KAFKA_SASL_MECHANISM/KAFKA_SASL_JAAS_CONFIG are set but KAFKA_SECURITY_PROTOCOL={}: they are"
                    + " ignored (use SASL_SSL or SASL_PLAINTEXT to authenticate with SASL)", protocol);
        }
        if (isSsl()) {
            checkStore(problems, "TRUSTSTORE", sslTruststoreLocation, sslTruststorePassword, sslTruststoreType);
            checkStore(problems, "KEYSTORE", sslKeystoreLocation, sslKeystorePassword, sslKeystoreType);
            if (!sslEndpointIdentificationAlgorithm.isEmpty() && !"https".equals(sslEndpointIdentificationAlgorithm)) {
                problems.add("KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM=" + sslEndpointIdentificationAlgorithm
                        + " is not supported: use https (check the broker's host name against its certificate)"
                        + " or leave it empty to turn that check off");
            }
        } else if (!sslTruststoreLocation.isEmpty() || !sslKeystoreLocation.isEmpty()) {
            LOG.warn("KAFKA_SSL_TRUSTSTORE_LOCATION/KAFKA_SSL_KEYSTORE_LOCATION are set but KAFKA_SECURITY_PROTOCOL={}:"
                    + " they are ignored (use SSL or SASL_SSL to connect with TLS)", protocol);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Kafka security settings: " + String.join("; ", problems));
        }
        LOG.info("Kafka clients connect to {} with {}", bootstrapServers, describe());
    }

    /** The app bean's init: {@link #check}, then waits for a broker ({@code KAFKA_STARTUP_TIMEOUT_MS}; {@link KafkaStartupCheck}). */
    public void checkAndAwait() {
        KafkaStartupCheck startup = new KafkaStartupCheck(this, startupTimeout);
        startup.failIfGaveUpBefore();
        check();
        if (!startupTimeout.isZero()) {
            startup.await();
        }
    }

    /** How long start-up waits for Kafka at most ({@code KAFKA_STARTUP_TIMEOUT_MS}, 60 s); 0: not at all. */
    public void setStartupTimeoutMs(long startupTimeoutMs) {
        this.startupTimeout = java.time.Duration.ofMillis(startupTimeoutMs);
    }

    private static void checkStore(List<String> problems, String store, String location, String password, String type) {
        boolean pem = "PEM".equalsIgnoreCase(type);
        if (location.isEmpty()) {
            if (!password.isEmpty()) {
                problems.add("KAFKA_SSL_" + store + "_PASSWORD is set but KAFKA_SSL_" + store + "_LOCATION is not");
            }
            return;
        }
        if (!Files.isReadable(Path.of(location))) {
            problems.add("KAFKA_SSL_" + store + "_LOCATION=" + location + " is not a readable file");
        }
        if (password.isEmpty() && !pem && "KEYSTORE".equals(store)) {
            problems.add("KAFKA_SSL_KEYSTORE_LOCATION needs KAFKA_SSL_KEYSTORE_PASSWORD");
        }
    }

    /**
     * {@code bootstrap.servers} and the security settings, as Kafka client configuration: a new map
     * at every call, to which each client adds its own keys.
     */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new LinkedHashMap<>(componentSettings);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, securityProtocol);
        // as camel-kafka does: the SASL settings only with a SASL protocol, the TLS ones only with TLS
        if (isSasl()) {
            putIfNotEmpty(config, SaslConfigs.SASL_MECHANISM, saslMechanism);
            putIfNotEmpty(config, SaslConfigs.SASL_JAAS_CONFIG, saslJaasConfig);
        }
        if (isSsl()) {
            putIfNotEmpty(config, SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, sslTruststoreLocation);
            putIfNotEmpty(config, SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, sslTruststorePassword);
            putIfNotEmpty(config, SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, sslTruststoreType.toUpperCase(Locale.ROOT));
            putIfNotEmpty(config, SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, sslKeystoreLocation);
            putIfNotEmpty(config, SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, sslKeystorePassword);
            putIfNotEmpty(config, SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, sslKeystoreType.toUpperCase(Locale.ROOT));
            putIfNotEmpty(config, SslConfigs.SSL_KEY_PASSWORD_CONFIG, sslKeyPassword);
            // empty turns the host name check off, as in Kafka itself
            config.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, sslEndpointIdentificationAlgorithm);
        }
        return config;
    }

    /**
     * When a Kafka client failed because of the security settings, the sentence that says what
     * to fix; empty for any other failure.
     */
    public Optional<String> whatToFix(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SaslAuthenticationException) {
                return Optional.of("Kafka at " + bootstrapServers + " refused the SASL credentials (" + t.getMessage()
                        + "): check the user name and password in KAFKA_SASL_JAAS_CONFIG and KAFKA_SASL_MECHANISM ("
                        + effectiveSaslMechanism() + ")");
            }
            if (t instanceof SslAuthenticationException) {
                return Optional.of("The TLS handshake with Kafka at " + bootstrapServers + " failed (" + t.getMessage()
                        + "): check KAFKA_SSL_TRUSTSTORE_LOCATION (the CA of the brokers' certificates),"
                        + " KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM (the broker host names in their certificates)"
                        + " and, when the brokers require client certificates, KAFKA_SSL_KEYSTORE_LOCATION");
            }
            if (t instanceof AuthenticationException) {
                return Optional.of("Kafka at " + bootstrapServers + " did not authenticate tweetstream (" + t.getMessage()
                        + "): check KAFKA_SECURITY_PROTOCOL (" + securityProtocol + "), KAFKA_SASL_MECHANISM and"
                        + " KAFKA_SASL_JAAS_CONFIG against the brokers' listener");
            }
        }
        return Optional.empty();
    }

    /** The security in use, for log lines and health details: never a secret. */
    public String describe() {
        StringBuilder description = new StringBuilder("security protocol ").append(securityProtocol);
        if (isSasl()) {
            description.append(", SASL mechanism ").append(effectiveSaslMechanism());
        }
        if (isSsl()) {
            description.append(", truststore ").append(sslTruststoreLocation.isEmpty() ? "of the JVM" : sslTruststoreLocation);
            if (!sslKeystoreLocation.isEmpty()) {
                description.append(", client certificate from ").append(sslKeystoreLocation);
            }
            if (sslEndpointIdentificationAlgorithm.isEmpty()) {
                description.append(", broker host names not verified");
            }
        }
        return description.toString();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String securityProtocol() {
        return securityProtocol;
    }

    private boolean isSasl() {
        return securityProtocol.startsWith("SASL_");
    }

    private boolean isSsl() {
        return "SSL".equals(securityProtocol) || "SASL_SSL".equals(securityProtocol);
    }

    private String effectiveSaslMechanism() {
        return saslMechanism.isEmpty() ? SaslConfigs.DEFAULT_SASL_MECHANISM : saslMechanism;
    }

    private static void putIfNotEmpty(Map<String, Object> config, String key, String value) {
        if (!value.isEmpty()) {
            config.put(key, value);
        }
    }

    private static String clean(String value) {
        return value == null ? "" : value.strip();
    }

    public void setBootstrapServers(String bootstrapServers) {
        this.bootstrapServers = clean(bootstrapServers);
    }

    public void setSecurityProtocol(String securityProtocol) {
        this.securityProtocol = clean(securityProtocol);
    }

    public void setSaslMechanism(String saslMechanism) {
        this.saslMechanism = clean(saslMechanism);
    }

    public void setSaslJaasConfig(String saslJaasConfig) {
        this.saslJaasConfig = clean(saslJaasConfig);
    }

    public void setSslTruststoreLocation(String sslTruststoreLocation) {
        this.sslTruststoreLocation = clean(sslTruststoreLocation);
    }

    public void setSslTruststorePassword(String sslTruststorePassword) {
        this.sslTruststorePassword = clean(sslTruststorePassword);
    }

    public void setSslTruststoreType(String sslTruststoreType) {
        this.sslTruststoreType = clean(sslTruststoreType);
    }

    public void setSslKeystoreLocation(String sslKeystoreLocation) {
        this.sslKeystoreLocation = clean(sslKeystoreLocation);
    }

    public void setSslKeystorePassword(String sslKeystorePassword) {
        this.sslKeystorePassword = clean(sslKeystorePassword);
    }

    public void setSslKeystoreType(String sslKeystoreType) {
        this.sslKeystoreType = clean(sslKeystoreType);
    }

    public void setSslKeyPassword(String sslKeyPassword) {
        this.sslKeyPassword = clean(sslKeyPassword);
    }

    public void setSslEndpointIdentificationAlgorithm(String sslEndpointIdentificationAlgorithm) {
        this.sslEndpointIdentificationAlgorithm = clean(sslEndpointIdentificationAlgorithm);
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public String toString() {
        // Never a password or the JAAS entry.
        return "KafkaClientConfig[" + bootstrapServers + ", " + describe() + "]";
    }
}
