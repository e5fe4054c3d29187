package io.securestreams.boot.autoconfigure;

import java.util.List;

import io.securestreams.SecureStreams;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * A streamtype's {@code timeout-ms} and a retry scheme's {@code backoff} are kept in whole
 * milliseconds, as the JSON keys are: a Duration with a part below a millisecond ({@code 500us})
 * was cut to it without a word, so {@code timeout-ms: 500us} became 0, which means no timeout,
 * and a backoff of {@code 500us} retried at once. Such a value now fails at its property.
 */
class SubMillisecondDurationPropertyTests {

	private static final String TYPE = "secure-streams.policy.streamtypes.mintest.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
				TYPE + "endpoint=127.0.0.1", TYPE + "port=80", TYPE + "http-method=GET", TYPE + "http-url=/");

	@Test
	void timeoutsAndBackoffsBelowAMillisecondAreReportedAtTheirProperty() {
		this.runner
			.withPropertyValues(TYPE + "timeout-ms=500us", "secure-streams.policy.retry.quick.backoff=1s,1500us")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).isInstanceOfSatisfying(PolicyException.class,
						(ex) -> assertThat(ex.problems()).extracting(PolicyProblem::path, PolicyProblem::message)
							.containsExactlyInAnyOrder(
									tuple(TYPE + "timeout-ms",
											"PT0.0005S is not a whole number of milliseconds; the policy keeps "
													+ "this time in milliseconds (for example 500 or 2s)"),
									tuple("secure-streams.policy.retry.quick.backoff[1]",
											"PT0.0015S is not a whole number of milliseconds; the policy keeps "
													+ "this time in milliseconds (for example 500 or 2s)")));
			});
	}

	@Test
	void wholeMillisecondsInAnyUnitAreTaken() {
		this.runner
			.withPropertyValues(TYPE + "timeout-ms=2000000us", "secure-streams.policy.retry.quick.backoff=1s,1500")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				SecureStreams streams = context.getBean(SecureStreams.class);
				assertThat(streams.policy().streamType("mintest").timeoutMs()).isEqualTo(2000);
				assertThat(streams.policy().retry().get("quick").backoffMs()).isEqualTo(List.of(1000, 1500));
			});
	}

}
