package io.securestreams.boot.autoconfigure;

import io.securestreams.SecureStreams;
import io.securestreams.policy.HttpResponseMapping;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An entry of a map property given an empty value ({@code http-resp-map.532=} in a properties
 * file or on the command line) is unset, as a known key given an empty value is; before, start-up
 * failed with "streamtype property 'http-resp-map' takes no nested keys", which it has. (In YAML,
 * {@code 530:} without a value was already left out.) A key under a plain value is still refused so.
 */
class EmptyMapEntryPropertyTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s");

	@Test
	void aMapEntryWithoutAValueInYamlIsUnset() {
		this.runner.withInitializer((context) -> context.getEnvironment()
			.getPropertySources()
			.addFirst(SecureStreamsAutoConfigurationTests.yaml("policies/empty-map-entry.yml")))
			.withPropertyValues("secure-streams.policy.streamtypes.st.http-resp-map.532=")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(SecureStreams.class).policy().streamType("st").http().responseMap())
					.extracting(HttpResponseMapping::status)
					.containsExactly(531);
			});
	}

	@Test
	void aKeyUnderAPlainValueIsStillRefused() {
		this.runner
			.withPropertyValues("secure-streams.policy.streamtypes.st.endpoint=127.0.0.1",
					"secure-streams.policy.streamtypes.st.port.x=")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).isInstanceOfSatisfying(PolicyException.class,
						(ex) -> assertThat(ex.problems()).extracting(PolicyProblem::message)
							.containsExactly("streamtype property 'port' takes no nested keys"));
			});
	}

}
