package io.securestreams.boot.annotation;

import io.securestreams.boot.annotation.SecureStreamHandler.Start;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code start} is what happens to each <em>client</em> stream once created: on a server
 * streamtype, whose listener neither connects nor sends, it fails start-up naming the bean, as
 * a {@code count} above 1 does, instead of being silently ignored.
 */
class SecureStreamHandlerServerStartTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
				"secure-streams.policy.streamtypes.srv.server=true",
				"secure-streams.policy.streamtypes.srv.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.srv.port=0",
				"secure-streams.policy.streamtypes.srv.metadata.path=",
				"secure-streams.policy.streamtypes.srv.metadata.method=");

	@Test
	void aStartActionOnAServerStreamTypeFailsStartUpNamingTheBean() {
		this.runner.withBean("connecting", ConnectingServerHandler.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasStackTraceContaining("bean 'connecting'")
				.hasStackTraceContaining("asks for start CONNECT on server streamtype 'srv'");
		});
	}

	@Test
	void aServerStreamTypeWithoutAStartActionStarts() {
		this.runner.withBean("plain", PlainServerHandler.class).run((context) -> assertThat(context).hasNotFailed());
	}

	@SecureStreamHandler(value = "srv", start = Start.CONNECT)
	static class ConnectingServerHandler {

		@OnState("SERVER_TXN")
		void request() {
		}

	}

	@SecureStreamHandler("srv")
	static class PlainServerHandler {

		@OnState("SERVER_TXN")
		void request() {
		}

	}

}
