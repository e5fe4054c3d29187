package io.securestreams.boot.annotation;

import java.net.InetAddress;

import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import io.securestreams.boot.config.SecureStreamHandlerContainer;
import io.securestreams.boot.config.SecureStreamHandlerEndpointRegistry;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * As libwebsockets' §9.3 start-up does, a small local policy may hold only {@code fetch_policy},
 * and the policy fetched at start-up ({@code secure-streams.remote-policy.fetch-on-startup}) the
 * streamtypes the application uses. A handler of such a streamtype gets its streams from the
 * fetched policy; before, the handlers were checked against the local policy, before the fetch,
 * and start-up failed saying the policy did not define the streamtype. A streamtype that neither
 * policy defines still fails start-up naming the bean.
 */
class SecureStreamHandlerFetchedStreamTypeTests {

	private static final String FETCH = "secure-streams.policy.streamtypes.[fetch_policy].";

	private static final String REMOTE = "{\"s\": [{\"remote\": {\"endpoint\": \"127.0.0.1\", \"port\": 9, "
			+ "\"protocol\": \"h1\", \"http_method\": \"GET\", \"http_url\": \"/\"}}]}";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
				"secure-streams.remote-policy.fetch-on-startup=true", FETCH + "endpoint=127.0.0.1",
				FETCH + "http-url=/policy.json");

	@Test
	void aHandlerOfAStreamTypeOnlyTheFetchedPolicyDefinesGetsItsStreams() throws Exception {
		try (MockWebServer server = new MockWebServer()) {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().code(200).body(REMOTE).build());
			this.runner.withPropertyValues(FETCH + "port=" + server.getPort())
				.withBean("remoteHandler", RemoteHandler.class)
				.run((context) -> {
					assertThat(context).hasNotFailed();
					SecureStreamHandlerContainer container = context.getBean(SecureStreamHandlerEndpointRegistry.class)
						.getHandlerContainer("remoteHandler#remote");
					assertThat(container).isNotNull();
					assertThat(container.isRunning()).isTrue();
					assertThat(container.getStreams()).hasSize(1);
				});
		}
	}

	@Test
	void aHandlerOfAStreamTypeNeitherPolicyDefinesFailsStartUpNamingTheBean() throws Exception {
		try (MockWebServer server = new MockWebServer()) {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().code(200).body(REMOTE).build());
			this.runner.withPropertyValues(FETCH + "port=" + server.getPort())
				.withBean("missingHandler", MissingHandler.class)
				.run((context) -> {
					assertThat(context).hasFailed();
					assertThat(context.getStartupFailure()).hasStackTraceContaining("bean 'missingHandler'")
						.hasStackTraceContaining("streamtype 'missing', which the policy does not define");
				});
		}
	}

	@SecureStreamHandler("remote")
	static class RemoteHandler {

		@OnState
		void state() {
		}

	}

	@SecureStreamHandler("missing")
	static class MissingHandler {

		@OnState
		void state() {
		}

	}

}
