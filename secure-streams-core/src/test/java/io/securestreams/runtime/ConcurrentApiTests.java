package io.securestreams.runtime;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.CallbackChecker;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The threading promises of docs/streams.md under calls from other threads: callbacks of one
 * stream never overlap, nothing follows DESTROYING, and actions asked for while a callback runs
 * are carried out after it returns, also while CREATING runs on the creating thread.
 */
class ConcurrentApiTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private SecureStreams start() {
		this.server.setDispatcher(new HttpbinDispatcher());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/10");
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
	}

	@Test
	void closeWhileCreatingRunsReportsDestroyingOnlyAfterCreatingReturned() throws Exception {
		SecureStreams streams = start();
		CountDownLatch destroying = new CountDownLatch(1);
		CompletableFuture<Void> closing = new CompletableFuture<>();
		CallbackChecker handler = new CallbackChecker() {
			@Override
			protected StreamResult state(SecureStream stream, StreamState state) {
				if (state == StreamState.CREATING) {
					// The application's CREATING takes a while; meanwhile another thread closes the context.
					CompletableFuture.runAsync(streams::close).whenComplete((r, ex) -> closing.complete(null));
					await(destroying);
				}
				else if (state == StreamState.DESTROYING) {
					destroying.countDown();
				}
				return StreamResult.OK;
			}
		};
		SecureStream stream = streams.create("t", handler);
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(closing).succeedsWithin(WAIT);
		assertThat(handler.problems).isEmpty();
		assertThat(handler.states).containsExactly(StreamState.CREATING, StreamState.DESTROYING);
	}

	@Test
	void requestTxFromCreatingStartsTheConnectionAfterCreatingReturned() throws Exception {
		SecureStreams streams = start();
		CountDownLatch polled = new CountDownLatch(1);
		CallbackChecker handler = new CallbackChecker() {
			@Override
			protected StreamResult state(SecureStream stream, StreamState state) {
				if (state == StreamState.CREATING) {
					stream.requestTx();
					// Still in CREATING: nothing else may reach the handler before this returns.
					await(polled);
				}
				else if (state == StreamState.POLL) {
					polled.countDown();
				}
				return StreamResult.OK;
			}
		};
		streams.create("t", handler);
		org.awaitility.Awaitility.await().atMost(WAIT).until(() -> handler.states.contains(StreamState.QOS_ACK_REMOTE));
		assertThat(handler.problems).isEmpty();
		assertThat(handler.states).startsWith(StreamState.CREATING, StreamState.POLL, StreamState.CONNECTING,
				StreamState.CONNECTED);
	}

	/** Waits a little for a latch: long enough for a loop task to overtake the callback. */
	private static void await(CountDownLatch latch) {
		try {
			latch.await(1, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
