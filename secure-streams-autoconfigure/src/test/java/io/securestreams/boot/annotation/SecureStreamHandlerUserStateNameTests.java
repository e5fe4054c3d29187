package io.securestreams.boot.annotation;

import java.util.stream.Stream;

import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @OnState} names of user states: only the names user states really have
 * ({@code USER_STATE_} and a value of at least 1000, written as {@code StreamState.name()}
 * writes it) are accepted; any other would never match a state, so its method would silently
 * never be called.
 */
class SecureStreamHandlerUserStateNameTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
				"secure-streams.policy.streamtypes.get.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.get.port=9",
				"secure-streams.policy.streamtypes.get.http-url=/");

	static Stream<Arguments> namesNoStateHas() {
		return Stream.of(Arguments.of(BelowUserBaseHandler.class, "USER_STATE_999"),
				Arguments.of(LeadingZeroHandler.class, "USER_STATE_01530"),
				Arguments.of(BeyondIntHandler.class, "USER_STATE_99999999999"));
	}

	@ParameterizedTest
	@MethodSource("namesNoStateHas")
	void aUserStateNameNoStateCanHaveFailsStartUp(Class<?> handler, String name) {
		this.runner.withBean("bad", handler).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("on bean 'bad'")
				.hasMessageContaining("'" + name + "' is not a state name");
		});
	}

	@Test
	void aUserStateNameIsAccepted() {
		this.runner.withBean("good", UserStateHandler.class).run((context) -> assertThat(context).hasNotFailed());
	}

	@SecureStreamHandler("get")
	static class BelowUserBaseHandler {

		@OnState("USER_STATE_999")
		void state() {
		}

	}

	@SecureStreamHandler("get")
	static class LeadingZeroHandler {

		@OnState("USER_STATE_01530")
		void state() {
		}

	}

	@SecureStreamHandler("get")
	static class BeyondIntHandler {

		@OnState("USER_STATE_99999999999")
		void state() {
		}

	}

	@SecureStreamHandler("get")
	static class UserStateHandler {

		@OnState({ "CONNECTED", "USER_STATE_1530" })
		void state() {
		}

	}

}
