package io.securestreams.boot.autoconfigure;

import java.io.IOException;

import io.securestreams.SecureStreams;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.StreamTypePolicy;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A known {@code secure-streams.policy.*} property given an empty value (a YAML key without a
 * value, {@code location=} to clear a location another source sets) is unset, as Spring binds
 * it; before, the unknown-property check reported it as "takes no nested keys", which it has not.
 */
class SecureStreamsEmptyPolicyPropertyTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s");

	@Test
	void knownPropertiesWithoutAValueInYamlAreUnset() {
		this.runner.withInitializer((context) -> context.getEnvironment()
			.getPropertySources()
			.addFirst(yaml("policies/empty-values.yml"))).run((context) -> {
				assertThat(context).hasNotFailed();
				StreamTypePolicy idle = context.getBean(SecureStreams.class).policy().streamType("idle");
				assertThat(idle.endpoint()).isEqualTo("127.0.0.1");
				assertThat(idle.port()).isZero();
				assertThat(idle.tls().enabled()).isFalse();
			});
	}

	@Test
	void anEmptyLocationClearsTheLocationOfAnotherSource() {
		this.runner.withPropertyValues("secure-streams.policy.location=", "secure-streams.policy.release=1")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(SecureStreams.class).policy().release()).isEqualTo("1");
			});
	}

	@Test
	void aMisspeltPropertyWithoutAValueIsStillReported() {
		this.runner.withPropertyValues("secure-streams.policy.streamtypes.idle.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.idle.prot=").run((context) -> {
					assertThat(context).hasFailed();
					assertThat(context.getStartupFailure()).isInstanceOfSatisfying(PolicyException.class,
							(ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
								.singleElement()
								.asString()
								.contains("secure-streams.policy.streamtypes.idle.prot")
								.contains("unknown streamtype property 'prot'"));
				});
	}

	private static PropertySource<?> yaml(String path) {
		try {
			return new YamlPropertySourceLoader().load(path, new ClassPathResource(path)).get(0);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
