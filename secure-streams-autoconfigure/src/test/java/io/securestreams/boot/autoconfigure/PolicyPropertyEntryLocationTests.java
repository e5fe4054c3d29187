package io.securestreams.boot.autoconfigure;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bad element of a list ({@code backoff}) or a bad entry of a map ({@code http-resp-map},
 * {@code metadata}) is reported at its own property. Before, the problem was located at the
 * list or map, that is at its first element, on another line of {@code application.yml} than the
 * value at fault ({@code 530: 1530} was shown for the status {@code 99} a line below).
 */
class PolicyPropertyEntryLocationTests {

	private static final String YAML = "classpath:policies/misplaced-entries.yml:";

	@Test
	void eachBadElementOrEntryIsLocatedAtItsOwnProperty() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
			.withPropertyValues("secure-streams.event-loop-threads=1")
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(SecureStreamsAutoConfigurationTests.yaml("policies/misplaced-entries.yml")))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).isInstanceOfSatisfying(PolicyException.class,
						(ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
							.containsExactlyInAnyOrder(
									YAML + "7:13: secure-streams.policy.retry.r.backoff[1]: "
											+ "expected an integer 0..2147483647, got -2000",
									YAML + "13:19: secure-streams.policy.streamtypes.st.http-resp-map[99]: "
											+ "expected an HTTP status 100..599, got 99",
									YAML + "16:25: secure-streams.policy.streamtypes.st.metadata[bad name]: "
											+ "metadata name 'bad name' must be 1..30 bytes of UTF-8 without '$', "
											+ "'{', '}' or spaces"));
			});
	}

	@Test
	void goodListsAndMapsStillMakeThePolicy() {
		String type = "secure-streams.policy.streamtypes.st.";
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
			.withPropertyValues("secure-streams.event-loop-threads=1",
					"secure-streams.policy.retry.r.backoff=1s,2s", type + "endpoint=127.0.0.1", type + "retry=r",
					type + "http-resp-map.530=1530", type + "metadata.ctype=content-type:")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				io.securestreams.policy.Policy policy = context.getBean(io.securestreams.policy.Policy.class);
				assertThat(policy.retry().get("r").backoffMs()).containsExactly(1000, 2000);
				assertThat(policy.streamType("st").http().responseMap()).hasSize(1);
				assertThat(policy.streamType("st").metadata("ctype")).isNotNull();
			});
	}

}
