package io.securestreams.boot.annotation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import io.securestreams.boot.config.SecureStreamHandlerContainer;
import io.securestreams.boot.config.SecureStreamHandlerEndpointRegistry;
import io.securestreams.policy.Policy;
import io.securestreams.policy.StreamTypePolicy;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A handler's listener comes back when a policy defines its server streamtype again, whatever
 * thread set that policy. Set from a stream's callback, on an event loop, the restart ran there,
 * where creating a listener is refused (binding could deadlock), and the handler was left without
 * its listener with only a warning.
 */
class ReturningServerStreamTypeTests {

	private static final String TYPE = "secure-streams.policy.streamtypes.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=2", "secure-streams.shutdown-timeout=2s",
				TYPE + "srv.server=true", TYPE + "srv.endpoint=127.0.0.1", TYPE + "srv.port=0",
				TYPE + "srv.metadata.path=", TYPE + "srv.metadata.method=", TYPE + "idle.endpoint=127.0.0.1",
				TYPE + "idle.port=9", TYPE + "idle.http-method=GET", TYPE + "idle.http-url=/",
				TYPE + "idle.opportunistic=true")
		.withBean("server", ServerHandler.class);

	@Test
	void aListenerComesBackWhenAPolicySetFromACallbackDefinesItsStreamTypeAgain() {
		this.runner.run((context) -> {
			SecureStreams streams = context.getBean(SecureStreams.class);
			SecureStreamHandlerContainer container = context.getBean(SecureStreamHandlerEndpointRegistry.class)
				.getHandlerContainer("server#srv");
			assertThat(container.getStreams()).hasSize(1);
			Policy full = streams.policy();
			Map<String, StreamTypePolicy> others = new LinkedHashMap<>(full.streamTypes());
			others.remove("srv");
			streams.replacePolicy(new Policy(full.release(), full.product(), full.schemaVersion(), full.viaSocks5(),
					full.retry(), full.certs(), full.trustStores(), full.auth(), full.metrics(), others));
			Awaitility.await().until(() -> container.getStreams().isEmpty());
			AtomicReference<String> setOn = new AtomicReference<>();
			SecureStream idle = streams.create("idle", new StreamHandler() {
				@Override
				public StreamResult onState(SecureStream stream, StreamState state, long ack) {
					if (state == StreamState.TIMEOUT) {
						setOn.set(Thread.currentThread().getName());
						streams.replacePolicy(full);
					}
					return StreamResult.OK;
				}
			});
			idle.startTimeout(1);
			Awaitility.await().until(() -> setOn.get() != null);
			Awaitility.await().until(() -> container.getStreams().size() == 1);
			assertThat(container.getStreams().get(0).state()).isEqualTo(StreamState.CREATING);
			idle.destroy();
		});
	}

	@SecureStreamHandler("srv")
	static class ServerHandler {

		@OnState("SERVER_TXN")
		void request() {
		}

	}

}
