package io.securestreams.boot.autoconfigure;

import java.util.List;

import io.securestreams.SecureStreams;
import io.securestreams.policy.HttpSettings;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code secure-streams.policy.*} property that binds to nothing (a misspelt key) fails the
 * start-up naming it and the nearest known property, as an unknown key of a JSON policy does;
 * before, Spring's binding ignored it and the streamtype ran without the setting.
 */
class SecureStreamsUnknownPolicyPropertyTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
				"secure-streams.policy.streamtypes.idle.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.idle.port=1");

	@Test
	void aMisspeltStreamTypePropertyFailsWithTheNearestKnownOne() {
		this.runner
			.withPropertyValues("secure-streams.policy.streamtypes.idle.tls=true",
					"secure-streams.policy.streamtypes.idle.tls-trustore=my_trust")
			.run(failsWith("secure-streams.policy.streamtypes.idle.tls-trustore",
					"unknown streamtype property 'tls-trustore'; did you mean tls-trust-store?"));
	}

	@Test
	void aMisspeltKeyOfAnotherSectionFailsNamingThatSection() {
		this.runner.withPropertyValues("secure-streams.policy.retry.slow.backof=1s,2s")
			.run(failsWith("secure-streams.policy.retry.slow.backof",
					"unknown retry property 'backof'; did you mean backoff?"));
	}

	@Test
	void aMisspeltSectionFailsEvenWhenNothingElseOfThePolicyIsSet() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
			.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.policy.streamtype.idle.port=1")
			.run(failsWith("secure-streams.policy.streamtype.idle.port",
					"unknown policy property 'streamtype'; did you mean streamtypes?"));
	}

	@Test
	void everyUnknownPropertyIsReportedWithTheOtherProblems() {
		this.runner
			.withPropertyValues("secure-streams.policy.streamtypes.idle.prot=2",
					"secure-streams.policy.streamtypes.idle.opportunistik=true",
					"secure-streams.policy.streamtypes.idle.port=70000")
			.run((context) -> {
				assertThat(context).hasFailed();
				List<String> problems = problems(context);
				assertThat(problems).anySatisfy((problem) -> assertThat(problem).contains("'prot'"))
					.anySatisfy((problem) -> assertThat(problem).contains("did you mean opportunistic?"))
					.anySatisfy((problem) -> assertThat(problem).contains("idle.port").contains("70000"));
			});
	}

	@Test
	void relaxedSpellingsOfKnownPropertiesStillBind() {
		this.runner
			.withPropertyValues("secure-streams.policy.streamtypes.idle.httpUrl=/x",
					"secure-streams.policy.streamtypes.idle.http_method=GET",
					"secure-streams.policy.streamtypes.idle.metadata.any-name-at-all=x-any:")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				HttpSettings http = context.getBean(SecureStreams.class).policy().streamType("idle").http();
				assertThat(http.method()).isEqualTo("GET");
				assertThat(http.url()).isEqualTo("/x");
			});
	}

	private static ContextConsumer<AssertableApplicationContext> failsWith(String property, String message) {
		return (context) -> {
			assertThat(context).hasFailed();
			assertThat(problems(context)).anySatisfy((problem) -> assertThat(problem).contains(property)
				.contains(message));
		};
	}

	private static List<String> problems(AssertableApplicationContext context) {
		PolicyException exception = findCause(context.getStartupFailure(), PolicyException.class);
		assertThat(exception).as("a PolicyException in %s", context.getStartupFailure()).isNotNull();
		return exception.problems().stream().map(PolicyProblem::format).toList();
	}

	private static <T extends Throwable> @Nullable T findCause(@Nullable Throwable failure, Class<T> type) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		return null;
	}

}
