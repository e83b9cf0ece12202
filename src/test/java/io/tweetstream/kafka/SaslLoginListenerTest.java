package io.tweetstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import javax.security.auth.login.AppConfigurationEntry;

import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.config.SaslConfigs;
import org.junit.jupiter.api.Test;

class SaslLoginListenerTest {

    @Test
    void scramCredentialsBecomeTheEntryKafkaParses() {
        String entry = SaslLoginListener.jaasEntry("SCRAM-SHA-512", "tweet\"stream", "pa ss\\w;rd", false);

        AppConfigurationEntry parsed = parse(entry);
        assertThat(parsed.getLoginModuleName()).isEqualTo("org.apache.kafka.common.security.scram.ScramLoginModule");
        assertThat(parsed.getControlFlag()).isEqualTo(AppConfigurationEntry.LoginModuleControlFlag.REQUIRED);
        Map<String, ?> options = parsed.getOptions();
        assertThat(options.get("username")).isEqualTo("tweet\"stream");
        assertThat(options.get("password")).isEqualTo("pa ss\\w;rd");
    }

    @Test
    void plainTakesThePlainLoginModule() {
        assertThat(parse(SaslLoginListener.jaasEntry("plain", "u", "p", false)).getLoginModuleName())
                .isEqualTo("org.apache.kafka.common.security.plain.PlainLoginModule");
    }

    @Test
    void aMechanismWithoutUserAndPasswordIsNamed() {
        assertThatThrownBy(() -> SaslLoginListener.jaasEntry("", "u", "p", false))
                .hasMessageContaining("KAFKA_SASL_MECHANISM=PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (it is not set)");
        assertThatThrownBy(() -> SaslLoginListener.jaasEntry("GSSAPI", "u", "p", false))
                .hasMessageContaining("(it is GSSAPI)").hasMessageContaining("KAFKA_SASL_JAAS_CONFIG");
    }

    @Test
    void halfTheCredentialsOrBothFormsStopStartUpWithoutEchoingThem() {
        assertThatThrownBy(() -> SaslLoginListener.jaasEntry("PLAIN", "u", "", false))
                .hasMessage("KAFKA_SASL_USERNAME is set but KAFKA_SASL_PASSWORD is not: set both");
        assertThatThrownBy(() -> SaslLoginListener.jaasEntry("PLAIN", "", "secret-1", false))
                .hasMessage("KAFKA_SASL_PASSWORD is set but KAFKA_SASL_USERNAME is not: set both");
        assertThatThrownBy(() -> SaslLoginListener.jaasEntry("PLAIN", "u", "secret-1", true))
                .hasMessageContaining("not both").hasMessageNotContaining("secret-1");
    }

    private static AppConfigurationEntry parse(String entry) {
        JaasContext context = JaasContext.loadClientContext(Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(entry)));
        assertThat(context.configurationEntries()).hasSize(1);
        return context.configurationEntries().get(0);
    }
}
