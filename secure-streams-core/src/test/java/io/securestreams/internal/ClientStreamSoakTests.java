package io.securestreams.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScheduledTasks;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many streams created, used and destroyed in one context, as over months on a device: the
 * context's registry and the event loops' timers must come back to where they started.
 */
class ClientStreamSoakTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private static void awaitBaseline(SecureStreams streams, List<String> baseline) {
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			assertThat(ContextAccess.runtime(streams).streams()).isEmpty();
			assertThat(ScheduledTasks.of(streams)).containsExactlyInAnyOrderElementsOf(baseline);
		});
	}

	@Test
	void streamsDestroyedWhileWaitingToRetryLeaveNoTimers() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		fragment.retry(new RetryPolicy("slow", List.of(60_000), 100, 0, 0, 0));
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.resources.refusedPort(), "GET", "/x")
			.set(StreamTypeKey.RETRY, "slow");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		List<String> baseline = ScheduledTasks.of(streams);
		for (int round = 0; round < 4; round++) {
			List<SecureStream> created = new ArrayList<>();
			CountDownLatch unreachable = new CountDownLatch(500);
			for (int i = 0; i < 500; i++) {
				SecureStream stream = streams.create("t", new RecordingHandler().onState((s, state) -> {
					if (state == StreamState.UNREACHABLE) {
						unreachable.countDown();
					}
					return StreamResult.OK;
				}));
				stream.requestTx();
				created.add(stream);
			}
			assertThat(unreachable.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			created.forEach(SecureStream::destroy);
			for (SecureStream stream : created) {
				stream.whenDestroyed().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
			}
		}
		awaitBaseline(streams, baseline);
	}

	@Test
	void streamsDestroyedWithATimeoutRunningLeaveNoTimers() throws Exception {
		SecureStreams streams = this.resources.start(SecureStreams
			.builder(TestPolicies.with("t", (b) -> TestPolicies.h1(b, "127.0.0.1", 9, "GET", "/x")))
			.eventLoopThreads(2));
		List<String> baseline = ScheduledTasks.of(streams);
		for (int i = 0; i < 2000; i++) {
			SecureStream stream = streams.create("t", new RecordingHandler());
			stream.startTimeout(600_000);
			stream.destroy();
			stream.whenDestroyed().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		awaitBaseline(streams, baseline);
	}

	@Test
	void manyTransactionsThenDestroyLeaveNothingBehind() throws Exception {
		MockWebServer server = this.resources.mockWebServer();
		for (int i = 0; i < 300; i++) {
			server.enqueue(new MockResponse.Builder().body("ok").build());
		}
		SecureStreams streams = this.resources.start(SecureStreams
			.builder(TestPolicies.with("t", (b) -> TestPolicies.h1(b, "127.0.0.1", server.getPort(), "GET", "/x")))
			.eventLoopThreads(2));
		List<String> baseline = ScheduledTasks.of(streams);
		for (int i = 0; i < 100; i++) {
			java.util.concurrent.Semaphore acked = new java.util.concurrent.Semaphore(0);
			SecureStream stream = streams.create("t", new RecordingHandler().onState((s, state) -> {
				if (state == StreamState.QOS_ACK_REMOTE) {
					acked.release();
				}
				return StreamResult.OK;
			}));
			for (int txn = 1; txn <= 3; txn++) {
				stream.requestTx();
				assertThat(acked.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			}
			stream.destroy();
			stream.whenDestroyed().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		awaitBaseline(streams, baseline);
	}

	@Test
	void reconnectingToAServerThatKeepsClosingLeavesNoTimersAfterDestroy() throws Exception {
		try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
			Thread closer = new Thread(() -> {
				while (!server.isClosed()) {
					try (Socket accepted = server.accept()) {
						accepted.setSoLinger(true, 0);
					}
					catch (IOException ex) {
						return;
					}
				}
			});
			closer.setDaemon(true);
			closer.start();
			PolicyFragment fragment = TestPolicies.base();
			fragment.retry(new RetryPolicy("quick", List.of(1), RetryPolicy.CONCEAL_FOREVER, 0, 0, 0));
			fragment.streamType("raw")
				.set(StreamTypeKey.PROTOCOL, Protocol.RAW)
				.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
				.set(StreamTypeKey.PORT, server.getLocalPort())
				.set(StreamTypeKey.RETRY, "quick")
				.set(StreamTypeKey.NAILED_UP, true);
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
			List<String> baseline = ScheduledTasks.of(streams);
			AtomicInteger connected = new AtomicInteger();
			SecureStream stream = streams.create("raw", new RecordingHandler().onState((s, state) -> {
				if (state == StreamState.CONNECTED) {
					connected.incrementAndGet();
				}
				return StreamResult.OK;
			}));
			Awaitility.await().atMost(WAIT).until(() -> connected.get() >= 200);
			stream.destroy();
			stream.whenDestroyed().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
			awaitBaseline(streams, baseline);
		}
	}

}
