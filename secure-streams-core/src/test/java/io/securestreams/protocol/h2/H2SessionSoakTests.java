package io.securestreams.protocol.h2;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.internal.ContextAccess;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScheduledTasks;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many h2 streams over time on shared connections: the pool of usable connections and their
 * members must not keep exchanges of destroyed streams, and idle connections must go.
 */
class H2SessionSoakTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private static Map<?, ?> usable(SecureStreams streams) throws ReflectiveOperationException {
		H2ClientProtocol protocol = (H2ClientProtocol) ContextAccess.runtime(streams).clientProtocol(Protocol.H2);
		Field sessions = H2ClientProtocol.class.getDeclaredField("sessions");
		sessions.setAccessible(true);
		Field usable = H2Sessions.class.getDeclaredField("usable");
		usable.setAccessible(true);
		return (Map<?, ?>) usable.get(sessions.get(protocol));
	}

	private static int members(Object session) throws ReflectiveOperationException {
		Field members = H2Session.class.getDeclaredField("members");
		members.setAccessible(true);
		return ((Collection<?>) members.get(session)).size();
	}

	private SecureStreams context(MockWebServer server) {
		return this.resources.start(SecureStreams
			.builder(TestPolicies.with("t", (b) -> H2TestServers.policy(b, server, "GET", "/bytes/10")))
			.eventLoopThreads(2));
	}

	@Test
	void destroyedStreamsLeaveNoExchangesOnTheSharedConnection() throws Exception {
		MockWebServer server = H2TestServers.start(this.resources, okhttp3.Protocol.H2_PRIOR_KNOWLEDGE);
		server.setDispatcher(new HttpbinDispatcher());
		SecureStreams streams = context(server);
		List<String> baseline = ScheduledTasks.of(streams);
		for (int round = 0; round < 10; round++) {
			List<SecureStream> created = new ArrayList<>();
			CountDownLatch done = new CountDownLatch(100);
			for (int i = 0; i < 100; i++) {
				SecureStream stream = streams.create("t", new RecordingHandler().onState((s, state) -> {
					if (state == StreamState.QOS_ACK_REMOTE) {
						done.countDown();
					}
					return StreamResult.OK;
				}));
				stream.requestTx();
				created.add(stream);
			}
			assertThat(done.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			// Half destroyed at once, half after asking for another transaction.
			for (int i = 0; i < created.size(); i++) {
				if (i % 2 == 1) {
					created.get(i).requestTx();
				}
				created.get(i).destroy();
			}
			for (SecureStream stream : created) {
				stream.whenDestroyed().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
			}
		}
		assertThat(ContextAccess.runtime(streams).streams()).isEmpty();
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			for (Object session : usable(streams).values()) {
				assertThat(members(session)).isZero();
			}
		});
		// Idle connections linger for the next transaction, then close.
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			assertThat(usable(streams)).isEmpty();
			assertThat(ScheduledTasks.of(streams)).containsExactlyInAnyOrderElementsOf(baseline);
		});
	}

	@Test
	void streamsDestroyedWhileTheirConnectionIsStillConnectingLeaveNothing() throws Exception {
		MockWebServer server = H2TestServers.start(this.resources, okhttp3.Protocol.H2_PRIOR_KNOWLEDGE);
		server.setDispatcher(new HttpbinDispatcher());
		SecureStreams streams = context(server);
		List<String> baseline = ScheduledTasks.of(streams);
		for (int i = 0; i < 1000; i++) {
			SecureStream stream = streams.create("t", new RecordingHandler());
			stream.requestTx();
			if (i % 3 == 0) {
				Thread.onSpinWait();
			}
			stream.destroy();
			stream.whenDestroyed().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		assertThat(ContextAccess.runtime(streams).streams()).isEmpty();
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			assertThat(usable(streams)).isEmpty();
			assertThat(ScheduledTasks.of(streams)).containsExactlyInAnyOrderElementsOf(baseline);
		});
	}

}
