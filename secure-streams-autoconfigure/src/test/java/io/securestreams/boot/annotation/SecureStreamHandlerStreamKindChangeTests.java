package io.securestreams.boot.annotation;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import io.securestreams.boot.config.SecureStreamHandlerContainer;
import io.securestreams.boot.config.SecureStreamHandlerEndpointRegistry;
import io.securestreams.policy.Protocol;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A policy change that a handler's live streams cannot follow (its streamtype turned between
 * client and server, to or from a local sink, or to MQTT off the MQTT streams' loop) destroys
 * them, as if the streamtype had gone: the handler's streams must then be created anew, of the
 * new kind, as for a streamtype that comes back. Before, the streamtype never left the policy, so
 * the handler was left without streams for good, even once the overlays were reset.
 */
class SecureStreamHandlerStreamKindChangeTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
				"secure-streams.policy.streamtypes.kind.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.kind.port=9",
				"secure-streams.policy.streamtypes.kind.opportunistic=true")
		.withBean("kindHandler", KindHandler.class);

	@Test
	void handlerStreamsFollowTheirStreamtypeBetweenClientAndServer() {
		this.runner.run((context) -> {
			SecureStreams streams = context.getBean(SecureStreams.class);
			SecureStreamHandlerContainer container = context.getBean(SecureStreamHandlerEndpointRegistry.class)
				.getHandlerContainer("kindHandler#kind");
			assertThat(roles(container)).containsExactly(StreamRole.CLIENT);
			streams.applyOverlay("to-server", "{\"s\": [{\"kind\": {\"server\": true, \"port\": 0, "
					+ "\"metadata\": [{\"path\": \"\"}, {\"method\": \"\"}]}}]}");
			Awaitility.await().until(() -> roles(container).equals(List.of(StreamRole.LISTENER)));
			streams.resetOverlays();
			Awaitility.await().until(() -> roles(container).equals(List.of(StreamRole.CLIENT)));
		});
	}

	@Test
	void handlerStreamsComeBackWhenTheirStreamtypeStopsBeingALocalSink() {
		this.runner.run((context) -> {
			SecureStreams streams = context.getBean(SecureStreams.class);
			KindHandler handler = context.getBean(KindHandler.class);
			SecureStreamHandlerContainer container = context.getBean(SecureStreamHandlerEndpointRegistry.class)
				.getHandlerContainer("kindHandler#kind");
			// No sink is registered, so no source can be created while the overlay holds: that is
			// logged. Once it is reset, the handler's client stream is back.
			streams.applyOverlay("to-sink", "{\"s\": [{\"kind\": {\"local_sink\": true}}]}");
			Awaitility.await().until(() -> handler.states.contains("DESTROYING"));
			streams.resetOverlays();
			Awaitility.await().until(() -> roles(container).equals(List.of(StreamRole.CLIENT)));
		});
	}

	@Test
	void handlerStreamsComeBackWhenTheirStreamtypeTurnsToMqtt() {
		// MQTT streams share one event loop; the handler's client stream, created before, is on
		// another one in most runs, where it cannot carry MQTT and is destroyed.
		this.runner.withPropertyValues("secure-streams.event-loop-threads=8").run((context) -> {
			SecureStreams streams = context.getBean(SecureStreams.class);
			KindHandler handler = context.getBean(KindHandler.class);
			SecureStreamHandlerContainer container = context.getBean(SecureStreamHandlerEndpointRegistry.class)
				.getHandlerContainer("kindHandler#kind");
			SecureStream before = container.getStreams().get(0);
			streams.applyOverlay("to-mqtt", "{\"s\": [{\"kind\": {\"protocol\": \"mqtt\", "
					+ "\"mqtt_topic\": \"t\"}}]}");
			Awaitility.await()
				.until(() -> container.getStreams().size() == 1 && container.getStreams().get(0) != before);
			assertThat(handler.states).contains("DESTROYING");
			assertThat(container.getStreams().get(0).streamType()).isEqualTo("kind");
			assertThat(streams.policy().streamType("kind").protocol()).isEqualTo(Protocol.MQTT);
		});
	}

	private static List<StreamRole> roles(SecureStreamHandlerContainer container) {
		return container.getStreams().stream().map(SecureStream::role).toList();
	}

	@SecureStreamHandler("kind")
	static class KindHandler {

		final List<String> states = new CopyOnWriteArrayList<>();

		@OnState
		void state(StreamState state) {
			this.states.add(state.name());
		}

	}

}
