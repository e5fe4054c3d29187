package io.securestreams.boot.annotation;

import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server streamtype has one listener: a second handler for it (another bean, or a second
 * declaration with its own id) fails start-up naming both beans and the streamtype, instead of
 * opening a second listener on another ephemeral port or failing to bind a fixed one with an
 * "Address already in use" that blames whichever handler started second.
 */
class SecureStreamHandlerServerTwiceTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
				"secure-streams.policy.streamtypes.srv.server=true",
				"secure-streams.policy.streamtypes.srv.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.srv.port=0",
				"secure-streams.policy.streamtypes.srv.metadata.path=",
				"secure-streams.policy.streamtypes.srv.metadata.method=",
				"secure-streams.policy.streamtypes.cli.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.cli.port=9");

	@Test
	void twoHandlerBeansOfOneServerStreamTypeFailStartUpNamingBoth() {
		this.runner.withBean("first", FirstServerHandler.class)
			.withBean("second", SecondServerHandler.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).hasStackTraceContaining("bean 'second'")
					.hasStackTraceContaining("bean 'first'")
					.hasStackTraceContaining("server streamtype 'srv', which has one listener");
			});
	}

	@Test
	void twoDeclarationsOfOneServerStreamTypeOnOneBeanFailStartUp() {
		this.runner.withBean("twice", TwiceServerHandler.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasStackTraceContaining("bean 'twice'")
				.hasStackTraceContaining("server streamtype 'srv', which has one listener");
		});
	}

	@Test
	void twoHandlerBeansOfOneClientStreamTypeEachGetTheirStreams() {
		this.runner.withBean("first", FirstClientHandler.class)
			.withBean("second", SecondClientHandler.class)
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@SecureStreamHandler("srv")
	static class FirstServerHandler {

		@OnState("SERVER_TXN")
		void request() {
		}

	}

	@SecureStreamHandler("srv")
	static class SecondServerHandler {

		@OnState("SERVER_TXN")
		void request() {
		}

	}

	@SecureStreamHandler(value = "srv", id = "one")
	@SecureStreamHandler(value = "srv", id = "two")
	static class TwiceServerHandler {

		@OnState("SERVER_TXN")
		void request() {
		}

	}

	@SecureStreamHandler("cli")
	static class FirstClientHandler {

		@OnState
		void state() {
		}

	}

	@SecureStreamHandler("cli")
	static class SecondClientHandler {

		@OnState
		void state() {
		}

	}

}
