package io.securestreams.boot.autoconfigure;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A metrics policy's {@code report} names the streamtype its reports are sent on: one naming no
 * streamtype fails the start at its own property, as an auth scheme's {@code streamtype} does.
 */
class MetricsReportPropertyTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.policy.metrics.m.schedule=1s");

	@Test
	void reportNamingNoStreamtypeFailsTheStartAtItsProperty() {
		this.runner.withPropertyValues("secure-streams.policy.metrics.m.report=nope").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).isInstanceOfSatisfying(PolicyException.class,
					(ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
						.singleElement()
						.satisfies((problem) -> assertThat(problem)
							.contains("secure-streams.policy.metrics.m.report: no streamtype named 'nope' in s")));
		});
	}

	@Test
	void reportNamingAStreamtypeStarts() {
		this.runner
			.withPropertyValues("secure-streams.policy.metrics.m.report=st",
					"secure-streams.policy.streamtypes.st.endpoint=127.0.0.1",
					"secure-streams.policy.streamtypes.st.port=1")
			.run((context) -> assertThat(context).hasNotFailed());
	}

}
