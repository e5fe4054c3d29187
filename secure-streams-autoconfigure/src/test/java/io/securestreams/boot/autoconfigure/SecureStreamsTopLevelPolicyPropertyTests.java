package io.securestreams.boot.autoconfigure;

import io.securestreams.SecureStreams;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The top-level {@code secure-streams.policy.via-socks5} and {@code schema-version} are checked
 * as the same keys of a JSON policy are; before, {@code via-socks5=nonsense} or a negative schema
 * version started the application, where the JSON policy fails naming the key (and a streamtype's
 * own {@code via-socks5} property already did).
 */
class SecureStreamsTopLevelPolicyPropertyTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s");

	@Test
	void aViaSocks5ThatIsNoHostAndPortFailsAtItsProperty() {
		this.runner.withPropertyValues("secure-streams.policy.via-socks5=nonsense").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).isInstanceOfSatisfying(PolicyException.class,
					(ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
						.singleElement()
						.asString()
						.contains("secure-streams.policy.via-socks5: expected host:port"));
		});
	}

	@Test
	void aNegativeSchemaVersionFailsAtItsProperty() {
		this.runner.withPropertyValues("secure-streams.policy.schema-version=-1").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).isInstanceOfSatisfying(PolicyException.class,
					(ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
						.singleElement()
						.asString()
						.contains("secure-streams.policy.schema-version: expected an integer 0..2147483647, got -1"));
		});
	}

	@Test
	void validValuesAreTaken() {
		this.runner.withPropertyValues("secure-streams.policy.via-socks5=127.0.0.1:1080",
				"secure-streams.policy.schema-version=1").run((context) -> {
					assertThat(context).hasNotFailed();
					assertThat(context.getBean(SecureStreams.class).policy().viaSocks5()).isEqualTo("127.0.0.1:1080");
					assertThat(context.getBean(SecureStreams.class).policy().schemaVersion()).isEqualTo(1);
				});
	}

}
