package io.securestreams.boot.annotation;

import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import io.securestreams.boot.config.SecureStreamHandlerEndpointRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @SecureStreamHandler(autoStartup = ...)} takes {@code true} or {@code false} (or a
 * placeholder that resolves to one): a misspelt value fails start-up naming the bean, instead of
 * being read as {@code false} and leaving the handler without streams.
 */
class SecureStreamHandlerAutoStartupTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
				"secure-streams.policy.streamtypes.get.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.get.port=9",
				"secure-streams.policy.streamtypes.get.http-url=/");

	@ParameterizedTest
	@ValueSource(strings = { "flase", "ture", "no", "0" })
	void aValueOtherThanTrueOrFalseFailsStartUpNamingTheBean(String value) {
		this.runner.withBean("manual", ManualHandler.class).withPropertyValues("manual.auto=" + value)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("bean 'manual'")
					.hasMessageContaining("autoStartup '" + value + "'");
			});
	}

	@Test
	void trueAndFalseInAnyCaseAreAccepted() {
		this.runner.withBean("manual", ManualHandler.class).withPropertyValues("manual.auto=FALSE").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(registry(context).getHandlerContainer("manual").isRunning()).isFalse();
		});
		this.runner.withBean("manual", ManualHandler.class).withPropertyValues("manual.auto=True").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(registry(context).getHandlerContainer("manual").isRunning()).isTrue();
		});
	}

	private static SecureStreamHandlerEndpointRegistry registry(
			org.springframework.context.ApplicationContext context) {
		return context.getBean(SecureStreamHandlerEndpointRegistry.class);
	}

	@SecureStreamHandler(streamtype = "get", id = "manual", autoStartup = "${manual.auto}")
	static class ManualHandler {

		@OnState("DESTROYING")
		void destroying() {
		}

	}

}
