package io.securestreams.runtime;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.internal.AbstractStream;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DISCONNECT_ME returned where the stream has no connection to close (POLL, CONNECTING before the
 * attempt opened one, UNREACHABLE, DISCONNECTED): as libwebsockets ("already disconnected, no
 * action for DISCONNECT_ME"), the stream carries on with its retry rules and never ends up
 * ignoring later requests to send. TX_DONT_SEND, which only means something from onTx, is taken
 * from onState and onRx as any result but OK is in libwebsockets (reference section 2): as
 * DISCONNECT_ME.
 */
class CallbackResultTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private SecureStream create(RecordingHandler handler, Consumer<StreamTypePolicy.Builder> keys) {
		PolicyFragment fragment = TestPolicies.base();
		keys.accept(TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", "/x"));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		return streams.create("t", handler);
	}

	/** Returns DISCONNECT_ME the first time {@code state} is reported, OK otherwise. */
	private static RecordingHandler disconnectOnFirst(StreamState state) {
		AtomicInteger seen = new AtomicInteger();
		return new RecordingHandler().onState((s, st) -> (st == state && seen.getAndIncrement() == 0)
				? StreamResult.DISCONNECT_ME : StreamResult.OK);
	}

	@Test
	void disconnectMeFromConnectingBacksOffAndRetries() {
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		RecordingHandler handler = disconnectOnFirst(StreamState.CONNECTING);
		create(handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "POLL", "CONNECTING",
				"CONNECTED", "QOS_ACK_REMOTE");
	}

	@Test
	void disconnectMeFromPollDoesNotWedgeTheStream() {
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		RecordingHandler handler = disconnectOnFirst(StreamState.POLL);
		create(handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE");
	}

	@Test
	void txDontSendFromPollGivesUpTheAttemptAsDisconnectMeDoes() {
		// Before, the attempt opened anyway without CONNECTING, and POLL -> CONNECTED, which the
		// table forbids, destroyed the stream.
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		AtomicInteger polls = new AtomicInteger();
		RecordingHandler handler = new RecordingHandler().onState((s, st) -> (st == StreamState.POLL
				&& polls.getAndIncrement() == 0) ? StreamResult.TX_DONT_SEND : StreamResult.OK);
		create(handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE");
	}

	@Test
	void txDontSendFromAStateWithAConnectionClosesIt() {
		this.server.enqueue(new MockResponse.Builder().body("never read").build());
		RecordingHandler handler = new RecordingHandler()
			.onState((s, st) -> (st == StreamState.CONNECTED) ? StreamResult.TX_DONT_SEND : StreamResult.OK);
		create(handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"DISCONNECTED");
		assertThat(handler.received()).isEmpty();
	}

	@Test
	void txDontSendFromRxClosesTheConnection() {
		this.server.enqueue(new MockResponse.Builder().body("first chunk").build());
		List<Integer> rxCalls = new java.util.concurrent.CopyOnWriteArrayList<>();
		RecordingHandler handler = new RecordingHandler() {

			@Override
			public StreamResult onRx(SecureStream stream, java.nio.ByteBuffer payload, int flags) {
				rxCalls.add(flags);
				super.onRx(stream, payload, flags);
				return StreamResult.TX_DONT_SEND;
			}

		};
		create(handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		// The first chunk is the only rx: no zero-length EOM and no result for the transaction.
		assertThat(rxCalls).hasSize(1);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"DISCONNECTED");
	}

	@Test
	void disconnectMeFromUnreachableKeepsRetrying() throws Exception {
		int port = this.resources.refusedPort();
		RecordingHandler handler = new RecordingHandler()
			.onState((s, st) -> (st == StreamState.UNREACHABLE) ? StreamResult.DISCONNECT_ME : StreamResult.OK);
		create(handler, (b) -> b.set(StreamTypeKey.PORT, port).set(StreamTypeKey.RETRY, "once")).requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE", "POLL",
				"CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
	}

	@Test
	void disconnectMeFromDisconnectedLeavesTheStreamReadyForTheNextTransaction() {
		this.server.enqueue(new MockResponse.Builder().body("one").addHeader("Connection", "close").build());
		this.server.enqueue(new MockResponse.Builder().body("two").build());
		RecordingHandler handler = new RecordingHandler()
			.onState((s, st) -> (st == StreamState.DISCONNECTED) ? StreamResult.DISCONNECT_ME : StreamResult.OK);
		SecureStream stream = create(handler, (b) -> {
		});
		stream.requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
		assertThat(new String(handler.received())).isEqualTo("onetwo");
		assertThat(handler.stateNames()).startsWith("CREATING", "POLL", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE",
				"DISCONNECTED", "POLL", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE");
	}

	@Test
	void disconnectMeFromDisconnectedStillReconnectsANonOpportunisticStream() {
		this.server.enqueue(new MockResponse.Builder().body("partial body")
			.onResponseBody(mockwebserver3.SocketEffect.ShutdownConnection.INSTANCE).build());
		this.server.enqueue(new MockResponse.Builder().body("whole").build());
		RecordingHandler handler = new RecordingHandler()
			.onState((s, st) -> (st == StreamState.DISCONNECTED) ? StreamResult.DISCONNECT_ME : StreamResult.OK);
		create(handler, (b) -> b.set(StreamTypeKey.OPPORTUNISTIC, false)).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"DISCONNECTED", "POLL", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE");
	}

	@Test
	void aRefusedTransactionOnAKeptAliveConnectionStillOwesItsDisconnected() {
		// The first transaction leaves the connection open; the second is refused with 503 and
		// a long Retry-After, and the stream is destroyed while it waits.
		this.server.enqueue(new MockResponse.Builder().body("one").build());
		this.server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "30").build());
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create(handler, (b) -> {
		});
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		stream.requestTx();
		handler.await(StreamState.UNREACHABLE, WAIT);
		stream.destroy();
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE", "CONNECTING", "DISCONNECTED", "UNREACHABLE", "DESTROYING");
		assertThat(List.copyOf(handler.states)).doesNotContainSequence(StreamState.UNREACHABLE,
				StreamState.DISCONNECTED);
	}

	@Test
	void nothingReachesTheHandlerAfterItAnsweredDestroyMe() throws Exception {
		// The retry timer and a stream timeout come due together while the loop is busy; the
		// retry's POLL is answered DESTROY_ME, and the timeout must not be reported after that.
		int port = this.resources.refusedPort();
		AtomicInteger polls = new AtomicInteger();
		RecordingHandler handler = new RecordingHandler().onState((s, st) -> {
			if (st == StreamState.UNREACHABLE) {
				s.startTimeout(60);
				((AbstractStream) s).eventLoop().execute(() -> sleep(200));
			}
			return (st == StreamState.POLL && polls.incrementAndGet() == 2) ? StreamResult.DESTROY_ME : StreamResult.OK;
		});
		SecureStream stream = create(handler, (b) -> b.set(StreamTypeKey.PORT, port).set(StreamTypeKey.RETRY, "once"));
		stream.requestTx();
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE", "POLL",
				"DESTROYING");
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
