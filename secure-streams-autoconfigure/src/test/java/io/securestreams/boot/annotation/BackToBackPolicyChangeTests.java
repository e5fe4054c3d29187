package io.securestreams.boot.annotation;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.securestreams.SecureStreams;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import io.securestreams.boot.config.SecureStreamHandlerContainer;
import io.securestreams.boot.config.SecureStreamHandlerEndpointRegistry;
import io.securestreams.policy.Policy;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.smd.SmdClass;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A handler's streams come back when a policy without its streamtype is followed at once by one
 * that defines it again (a reset of the overlays and a new overlay, a replaced policy and the
 * fetched one). The registry compared the streamtypes of the policy in force when it handled each
 * {@code {"policy":"updated"}} message, on a thread of its own, usually after both changes: it
 * never saw the streamtype missing, and the destroyed streams were never created again.
 */
class BackToBackPolicyChangeTests {

	private static final String TYPE = "secure-streams.policy.streamtypes.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=2", "secure-streams.shutdown-timeout=2s",
				TYPE + "srv.server=true", TYPE + "srv.endpoint=127.0.0.1", TYPE + "srv.port=0",
				TYPE + "srv.metadata.path=", TYPE + "srv.metadata.method=",
				TYPE + "idle.endpoint=127.0.0.1", TYPE + "idle.port=9")
		.withBean("server", ReturningServerStreamTypeTests.ServerHandler.class);

	/**
	 * The second change is made while the first is being announced, before the registry hears
	 * of the first (a bus participant told earlier changes the policy in turn, as another thread
	 * may at the same moment): both announcements then find the streamtype defined.
	 */
	@Test
	void streamsComeBackWhenTheirStreamTypeReturnsWhileItsLeavingIsAnnounced() {
		AtomicReference<Policy> restore = new AtomicReference<>();
		this.runner.withBean("restore", AtomicReference.class, () -> restore)
			.withBean(EarlySubscriber.class)
			.run((context) -> {
			SecureStreams streams = context.getBean(SecureStreams.class);
			SecureStreamHandlerContainer container = context.getBean(SecureStreamHandlerEndpointRegistry.class)
				.getHandlerContainer("server#srv");
			Awaitility.await().until(() -> container.getStreams().size() == 1);
			long listener = container.getStreams().get(0).id();
			Policy full = streams.policy();
			restore.set(full);
			streams.replacePolicy(without(full, "srv"));
			Awaitility.await()
				.atMost(Duration.ofSeconds(5))
				.until(() -> container.getStreams().size() == 1 && container.getStreams().get(0).id() != listener);
		});
	}

	private static Policy without(Policy full, String streamType) {
		Map<String, StreamTypePolicy> others = new LinkedHashMap<>(full.streamTypes());
		others.remove(streamType);
		return new Policy(full.release(), full.product(), full.schemaVersion(), full.viaSocks5(), full.retry(),
				full.certs(), full.trustStores(), full.auth(), full.metrics(), others);
	}

	/**
	 * Subscribed as the context is built, so before the registry, which starts with the
	 * application: told first of a policy change, it puts the policy it is given back once.
	 */
	static final class EarlySubscriber {

		EarlySubscriber(AtomicReference<Policy> restore, SecureStreams streams) {
			streams.smd().subscribe(SmdClass.SYSTEM_STATE, Runnable::run, (message) -> {
				Policy policy = restore.getAndSet(null);
				if (policy != null) {
					streams.replacePolicy(policy);
				}
			});
		}

	}

	@Test
	void streamsComeBackWhenTheirStreamTypeLeavesAndReturnsAtOnce() {
		this.runner.run((context) -> {
			SecureStreams streams = context.getBean(SecureStreams.class);
			SecureStreamHandlerContainer container = context.getBean(SecureStreamHandlerEndpointRegistry.class)
				.getHandlerContainer("server#srv");
			Policy full = streams.policy();
			Map<String, StreamTypePolicy> others = new LinkedHashMap<>(full.streamTypes());
			others.remove("srv");
			Policy without = new Policy(full.release(), full.product(), full.schemaVersion(), full.viaSocks5(),
					full.retry(), full.certs(), full.trustStores(), full.auth(), full.metrics(), others);
			for (int i = 0; i < 5; i++) {
				Awaitility.await().until(() -> container.getStreams().size() == 1);
				long listener = container.getStreams().get(0).id();
				streams.replacePolicy(without);
				streams.replacePolicy(full);
				Awaitility.await()
					.atMost(Duration.ofSeconds(5))
					.until(() -> container.getStreams().size() == 1
							&& container.getStreams().get(0).id() != listener);
			}
		});
	}

}
