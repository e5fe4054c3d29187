package io.securestreams.boot.autoconfigure;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.boot.annotation.OnState;
import io.securestreams.boot.annotation.SecureStreamHandler;
import io.securestreams.boot.config.SecureStreamHandlerEndpointRegistry;
import io.securestreams.testsupport.LogCapture;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SecureStreamHandler} beans in a hierarchy of application contexts, each with the
 * auto-configuration (as {@code SpringApplicationBuilder.parent(...).child(...)} builds them).
 */
class SecureStreamsContextHierarchyTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
				"secure-streams.policy.streamtypes.idle.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.idle.port=9",
				"secure-streams.policy.streamtypes.idle.opportunistic=true");

	@Test
	void aHandlerInAChildContextGetsItsStreamsFromTheParentsContext() {
		// Before, the child backed off from the parent's annotation post-processor, which does
		// not see the child's beans: the handler was left without streams, without a word.
		AtomicReference<IdleHandler> handler = new AtomicReference<>();
		this.runner.run((parent) -> {
			new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
				.withParent(parent)
				.withBean("childHandler", IdleHandler.class)
				.run((child) -> {
					assertThat(child).hasNotFailed();
					assertThat(child.getBean(SecureStreams.class)).isSameAs(parent.getBean(SecureStreams.class));
					handler.set(child.getBean(IdleHandler.class));
					Awaitility.await().untilAsserted(() -> assertThat(handler.get().states).contains("CREATING"));
					assertThat(child.getBean(SecureStreamHandlerEndpointRegistry.class).getHandlerContainerIds())
						.containsExactly("childHandler#idle");
					assertThat(parent.getBean(SecureStreamHandlerEndpointRegistry.class).getHandlerContainerIds())
						.isEmpty();
				});
			// Closing the child destroys its handler's streams, not the parent's context.
			assertThat(handler.get().states).endsWith("DESTROYING");
			assertThat(parent.getBean(SecureStreams.class).isClosed()).isFalse();
			assertThat(parent.getBean(SecureStreams.class).streams()).isEmpty();
		});
	}

	@Test
	void aChildContextUsesTheParentsStreamTypeBeansWithoutWarnings() {
		// Before, the child warned for each streamtype that "a bean of that name exists".
		this.runner.run((parent) -> {
			try (LogCapture logs = new LogCapture()) {
				new ApplicationContextRunner()
					.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
					.withParent(parent)
					.run((child) -> {
						assertThat(child).hasNotFailed();
						assertThat(child.getBean("idle")).isSameAs(parent.getBean("idle"));
					});
				assertThat(logs.warnings()).isEmpty();
			}
		});
	}

	@Test
	void aHandlerInTheParentContextGetsItsStreamsOnce() {
		this.runner.withBean("parentHandler", IdleHandler.class)
			.run((parent) -> new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
				.withParent(parent)
				.run((child) -> {
					assertThat(child).hasNotFailed();
					assertThat(parent.getBean(SecureStreamHandlerEndpointRegistry.class).getHandlerContainerIds())
						.containsExactly("parentHandler#idle");
					assertThat(child.getBean(SecureStreamHandlerEndpointRegistry.class).getHandlerContainerIds())
						.isEmpty();
					assertThat(parent.getBean(SecureStreams.class).streams()).hasSize(1);
				}));
	}

	@Test
	void aChildContextDoesNotTakeTheStartUpStepsAgain() throws Exception {
		// Before, the child took its own start-up steps with the parent's fetcher: a second
		// policy fetch (and captive portal detection, and token fetch) when the child started.
		try (MockWebServer server = new MockWebServer()) {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			// Each fetched policy keeps the streamtype that fetches it.
			String fetchPolicy = "{\"fetch_policy\": {\"endpoint\": \"127.0.0.1\", \"port\": " + server.getPort()
					+ ", \"protocol\": \"h1\", \"http_method\": \"GET\", \"http_url\": \"/policy.json\"}}";
			for (String release : List.of("remote-2", "remote-3")) {
				server.enqueue(new MockResponse.Builder().code(200)
					.body("{\"release\": \"" + release + "\", \"s\": [" + fetchPolicy + "]}")
					.build());
			}
			String type = "secure-streams.policy.streamtypes.[fetch_policy].";
			String[] properties = { "secure-streams.remote-policy.fetch-on-startup=true",
					type + "endpoint=127.0.0.1", type + "port=" + server.getPort(), type + "http-url=/policy.json" };
			this.runner.withPropertyValues(properties)
				.run((parent) -> new ApplicationContextRunner()
					.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
					.withParent(parent)
					.withPropertyValues(properties)
					.run((child) -> {
						assertThat(child).hasNotFailed();
						assertThat(parent.getBean(SecureStreams.class).policy().release()).isEqualTo("remote-2");
					}));
			assertThat(server.getRequestCount()).isEqualTo(1);
		}
	}

	@SecureStreamHandler("idle")
	static class IdleHandler {

		final List<String> states = new CopyOnWriteArrayList<>();

		@OnState
		void state(StreamState state) {
			this.states.add(state.name());
		}

	}

}
