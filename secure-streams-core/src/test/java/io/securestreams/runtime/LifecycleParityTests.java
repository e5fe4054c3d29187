package io.securestreams.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The client lifecycle and callback results of {@code ClientLifecycleTests} and
 * {@code CallbackResultTests}, run directly and through our Java proxy with the same application
 * code. The differences are those docs/proxy.md lists: a proxied transaction starts without POLL
 * (ONWARD_CONNECT) and ends with DISCONNECTED (the proxy closes the onward connection), a
 * DISCONNECT_ME hangs up the link to the proxy, TX_DONT_SEND from a state is
 * ignored, a request after ALL_RETRIES_FAILED retries afresh, and a streamtype the proxy's policy
 * loses leaves the stream asking the proxy again.
 */
@ParameterizedClass
@EnumSource(Mode.class)
class LifecycleParityTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@Parameter
	Mode mode;

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private StreamsUnderTest streams;

	private SecureStream create(RecordingHandler handler, Consumer<StreamTypePolicy.Builder> keys) {
		PolicyFragment fragment = TestPolicies.base();
		keys.accept(TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", "/x"));
		this.streams = this.resources.start(this.mode, fragment.build());
		return this.streams.streams().create("t", handler);
	}

	private boolean proxied() {
		return this.mode == Mode.PROXIED;
	}

	/** CREATING, then POLL when direct (a proxied requestTx is an ONWARD_CONNECT), then the rest. */
	private List<String> started(String... then) {
		List<String> states = new ArrayList<>(List.of("CREATING"));
		if (!proxied()) {
			states.add("POLL");
		}
		states.addAll(List.of(then));
		return states;
	}

	/** The states, then DISCONNECTED when proxied: the proxy closes after each transaction. */
	private List<String> closed(List<String> states) {
		List<String> all = new ArrayList<>(states);
		if (proxied()) {
			all.add("DISCONNECTED");
		}
		return all;
	}

	private static void awaitSettled(RecordingHandler handler, int count) {
		Awaitility.await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(5))
			.until(() -> handler.states.size() == count);
	}

	@Test
	void nailedUpStreamConnectsAtCreationWithoutPoll() {
		this.server.enqueue(new MockResponse.Builder().body("n").build());
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> b.set(StreamTypeKey.NAILED_UP, true));
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.stateNames()).startsWith("CREATING", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE");
		assertThat(new String(handler.received())).isEqualTo("n");
	}

	@Test
	void opportunisticStreamStaysIdleAfterTheConnectionDropsMidTransaction() {
		this.server.enqueue(new MockResponse.Builder().body("partial body")
			.onResponseBody(SocketEffect.ShutdownConnection.INSTANCE).build());
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		List<String> expected = started("CONNECTING", "CONNECTED", "DISCONNECTED");
		awaitSettled(handler, expected.size());
		assertThat(handler.stateNames()).isEqualTo(expected);
	}

	@Test
	void nonOpportunisticStreamReconnectsByBackoffAfterADrop() {
		this.server.enqueue(new MockResponse.Builder().body("partial body")
			.onResponseBody(SocketEffect.ShutdownConnection.INSTANCE).build());
		this.server.enqueue(new MockResponse.Builder().body("whole").build());
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> b.set(StreamTypeKey.OPPORTUNISTIC, false)).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.stateNames()).startsWith(started("CONNECTING", "CONNECTED", "DISCONNECTED", "POLL",
				"CONNECTING", "CONNECTED", "QOS_ACK_REMOTE").toArray(String[]::new));
		assertThat(new String(handler.received())).endsWith("whole");
	}

	@Test
	void aKeptAliveConnectionClosedBeforeTheNextAnswerFailsThatTransactionDirectly() {
		this.server.enqueue(new MockResponse.Builder().body("first").build());
		this.server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
		this.server.enqueue(new MockResponse.Builder().body("again").build());
		AtomicInteger acks = new AtomicInteger();
		RecordingHandler handler = new RecordingHandler().onState((stream, state) -> {
			if (state == StreamState.QOS_ACK_REMOTE && acks.incrementAndGet() == 1) {
				stream.requestTx();
			}
			return StreamResult.OK;
		});
		create(handler, (b) -> b.set(StreamTypeKey.RETRY, "fast")).requestTx();
		if (proxied()) {
			// The client had its DISCONNECTED after the first transaction; the onward stream waits
			// for the next ONWARD_CONNECT (docs/proxy.md).
			handler.await(StreamState.DISCONNECTED, 2, WAIT);
			List<String> expected = started("CONNECTING", "CONNECTED", "QOS_ACK_REMOTE", "DISCONNECTED",
					"CONNECTING", "DISCONNECTED");
			awaitSettled(handler, expected.size());
			assertThat(handler.stateNames()).isEqualTo(expected);
			assertThat(this.server.getRequestCount()).isEqualTo(2);
		}
		else {
			handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
			assertThat(handler.stateNames()).isEqualTo(started("CONNECTING", "CONNECTED", "QOS_ACK_REMOTE",
					"CONNECTING", "DISCONNECTED", "UNREACHABLE", "POLL", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE"));
			assertThat(new String(handler.received())).isEqualTo("firstagain");
		}
	}

	@Test
	void noRetryPolicyMeansTheFirstFailureIsFinal() throws Exception {
		int port = this.resources.refusedPort();
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> b.set(StreamTypeKey.PORT, port).set(StreamTypeKey.RETRY, null)).requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).isEqualTo(started("CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED"));
	}

	@Test
	void requestTxAfterAllRetriesFailedRetriesAfreshOnlyWhenProxied() throws Exception {
		// Direct, the retry count stays spent: one attempt. Proxied, ONWARD_CONNECT resets it
		// (reference section 7.3): the whole retry sequence again.
		int port = this.resources.refusedPort();
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create(handler, (b) -> b.set(StreamTypeKey.PORT, port).set(StreamTypeKey.RETRY, "once"));
		stream.requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		int before = handler.states.size();
		stream.requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, 2, WAIT);
		assertThat(handler.stateNames().subList(before, handler.states.size())).isEqualTo(proxied()
				? List.of("CONNECTING", "UNREACHABLE", "POLL", "CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED")
				: List.of("POLL", "CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED"));
	}

	@Test
	void destroyMeFromACallbackDestroysTheStream() {
		this.server.enqueue(new MockResponse.Builder().body("never read").build());
		RecordingHandler handler = new RecordingHandler()
			.onState((s, state) -> (state == StreamState.CONNECTED) ? StreamResult.DESTROY_ME : StreamResult.OK);
		SecureStream stream = create(handler, (b) -> {
		});
		stream.requestTx();
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(handler.stateNames()).isEqualTo(started("CONNECTING", "CONNECTED", "DISCONNECTED", "DESTROYING"));
		assertThat(handler.received()).isEmpty();
		assertThat(this.streams.streams().streams()).isEmpty();
	}

	@Test
	void destroyCalledFromACallbackEndsTheStreamAfterItReturns() {
		this.server.enqueue(new MockResponse.Builder().body("body").build());
		RecordingHandler handler = new RecordingHandler().onState((s, state) -> {
			if (state == StreamState.QOS_ACK_REMOTE) {
				s.destroy();
			}
			return StreamResult.OK;
		});
		SecureStream stream = create(handler, (b) -> {
		});
		stream.requestTx();
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(handler.stateNames()).isEqualTo(started("CONNECTING", "CONNECTED", "QOS_ACK_REMOTE",
				"DISCONNECTED", "DESTROYING"));
	}

	@Test
	void closeFromACallbackReturnsAndTheShutdownFinishesAfterIt() {
		this.server.enqueue(new MockResponse.Builder().body("done").build());
		CompletableFuture<Void> closeReturned = new CompletableFuture<>();
		RecordingHandler handler = new RecordingHandler().onState((s, state) -> {
			if (state == StreamState.QOS_ACK_REMOTE) {
				this.streams.streams().close();
				closeReturned.complete(null);
			}
			return StreamResult.OK;
		});
		SecureStream stream = create(handler, (b) -> {
		});
		assertThat(this.streams.streams().isClosed()).isFalse();
		stream.requestTx();
		assertThat(closeReturned).succeedsWithin(WAIT);
		assertThat(this.streams.streams().isClosed()).isTrue();
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(handler.stateNames()).isEqualTo(started("CONNECTING", "CONNECTED", "QOS_ACK_REMOTE",
				"DISCONNECTED", "DESTROYING"));
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> this.streams.streams().create("t", handler));
	}

	@Test
	void destroyWhileConnectingEndsTheStream() {
		this.server.enqueue(new MockResponse.Builder().body("late").headersDelay(3, TimeUnit.SECONDS).build());
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create(handler, (b) -> {
		});
		stream.requestTx();
		handler.await(StreamState.CONNECTING, WAIT);
		stream.destroy();
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(handler.stateNames()).isEqualTo(started("CONNECTING", "DESTROYING"));
	}

	@Test
	void disconnectMeFromConnectedClosesTheConnectionAndKeepsTheStream() {
		this.server.enqueue(new MockResponse.Builder().body("one").build());
		this.server.enqueue(new MockResponse.Builder().body("two").build());
		AtomicInteger connected = new AtomicInteger();
		RecordingHandler handler = new RecordingHandler().onState((s, state) -> (state == StreamState.CONNECTED
				&& connected.getAndIncrement() == 0) ? StreamResult.DISCONNECT_ME : StreamResult.OK);
		SecureStream stream = create(handler, (b) -> {
		});
		stream.requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(handler.received())).isEqualTo("two");
		assertThat(handler.stateNames()).startsWith(started("CONNECTING", "CONNECTED", "DISCONNECTED").toArray(
				String[]::new));
	}

	@Test
	void disconnectMeFromTheTxOfAPostRetriesByItselfOnlyWhenDirect() {
		// Direct, the request closed before its response is UNREACHABLE, and the stream backs off
		// and tries again. Proxied, the onward POST was CONNECTED once its headers were out, and
		// the hung-up link ends with DISCONNECTED: the application asks again.
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		AtomicInteger txCalls = new AtomicInteger();
		RecordingHandler handler = new RecordingHandler() {

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				return (txCalls.getAndIncrement() == 0) ? StreamResult.DISCONNECT_ME : super.onTx(stream, slot);
			}

		}.send("hello".getBytes(), 100);
		SecureStream stream = create(handler, (b) -> b.set(StreamTypeKey.HTTP_METHOD, "POST"));
		stream.requestTxLen(5);
		if (proxied()) {
			handler.await(StreamState.DISCONNECTED, WAIT);
			awaitSettled(handler, 5);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
					"DISCONNECTED");
			stream.requestTxLen(5);
		}
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(handler.received())).isEqualTo("ok");
		if (!proxied()) {
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE", "POLL",
					"CONNECTING", "CONNECTED", "QOS_ACK_REMOTE");
		}
	}

	@Test
	void disconnectMeFromConnectingStillCompletesTheTransaction() {
		// Direct, the attempt backs off and is tried again. Proxied, the link is hung up with the
		// proxy's onward stream, and the new link's onward stream is asked to connect. The first
		// attempt may have sent its request (and taken a response) before it was given up.
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		AtomicInteger connecting = new AtomicInteger();
		RecordingHandler handler = new RecordingHandler().onState((s, state) -> (state == StreamState.CONNECTING
				&& connecting.getAndIncrement() == 0) ? StreamResult.DISCONNECT_ME : StreamResult.OK);
		create(handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(handler.received())).isEqualTo("ok");
		assertThat(handler.stateNames()).startsWith((proxied() ? List.of("CREATING", "CONNECTING", "CONNECTING",
				"CONNECTED", "QOS_ACK_REMOTE") : List.of("CREATING", "POLL", "CONNECTING", "POLL", "CONNECTING",
						"CONNECTED", "QOS_ACK_REMOTE")).toArray(String[]::new));
	}

	@Test
	void disconnectMeFromATimeoutWhileConnectingStillCompletesTheTransaction() {
		this.server.enqueue(new MockResponse.Builder().body("late").headersDelay(3, TimeUnit.SECONDS).build());
		this.server.enqueue(new MockResponse.Builder().body("two").build());
		RecordingHandler handler = new RecordingHandler()
			.onState((s, state) -> (state == StreamState.TIMEOUT) ? StreamResult.DISCONNECT_ME : StreamResult.OK);
		SecureStream stream = create(handler, (b) -> {
		});
		stream.startTimeout(300);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(handler.received())).isEqualTo("two");
		assertThat(handler.stateNames()).startsWith(started("CONNECTING", "TIMEOUT").toArray(String[]::new));
	}

	@Test
	void disconnectMeFromUnreachableEndsTheRetriesOnlyWhenProxied() throws Exception {
		// Direct, there is no connection to close and the retries go on. Proxied, the link is hung
		// up with the onward stream that was retrying, as libwebsockets' client does; UNREACHABLE
		// was the outcome of the request, and the next one starts afresh.
		int port = this.resources.refusedPort();
		RecordingHandler handler = new RecordingHandler()
			.onState((s, state) -> (state == StreamState.UNREACHABLE) ? StreamResult.DISCONNECT_ME : StreamResult.OK);
		SecureStream stream = create(handler, (b) -> b.set(StreamTypeKey.PORT, port).set(StreamTypeKey.RETRY, "once"));
		stream.requestTx();
		if (proxied()) {
			handler.await(StreamState.UNREACHABLE, WAIT);
			awaitSettled(handler, 3);
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE");
			Awaitility.await().atMost(WAIT).until(() -> this.streams.proxy().links().size() == 1);
			stream.requestTx();
			handler.await(StreamState.UNREACHABLE, 2, WAIT);
			assertThat(handler.stateNames()).startsWith("CREATING", "CONNECTING", "UNREACHABLE", "CONNECTING",
					"UNREACHABLE");
		}
		else {
			handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE", "POLL",
					"CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
		}
	}

	@Test
	void txDontSendFromAStateClosesTheConnectionOnlyWhenDirect() {
		// libwebsockets' proxied client passes on DISCONNECT_ME and DESTROY_ME from a state only.
		this.server.enqueue(new MockResponse.Builder().body("body").build());
		RecordingHandler handler = new RecordingHandler()
			.onState((s, state) -> (state == StreamState.CONNECTED) ? StreamResult.TX_DONT_SEND : StreamResult.OK);
		create(handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		if (proxied()) {
			assertThat(handler.stateNames()).isEqualTo(closed(started("CONNECTING", "CONNECTED", "QOS_ACK_REMOTE")));
			assertThat(new String(handler.received())).isEqualTo("body");
		}
		else {
			assertThat(handler.stateNames()).isEqualTo(started("CONNECTING", "CONNECTED", "DISCONNECTED"));
			assertThat(handler.received()).isEmpty();
		}
	}

	@Test
	void timeoutIsReportedWithoutAConnectionAndACancelledOneIsNot() {
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create(handler, (b) -> b.set(StreamTypeKey.TIMEOUT_MS, 100L));
		stream.startTimeout(0);
		handler.await(StreamState.TIMEOUT, WAIT);
		stream.startTimeout(200);
		stream.cancelTimeout();
		awaitSettled(handler, 2);
		assertThat(handler.stateNames()).containsExactly("CREATING", "TIMEOUT");
		assertThat(this.streams.streams().streams()).hasSize(1);
	}

	@Test
	void overlayOnThePolicyReachesTheNextTransaction() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("first").build());
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create(handler, (b) -> {
		});
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		try (MockWebServer other = new MockWebServer()) {
			other.start(InetAddress.getByName("127.0.0.1"), 0);
			other.enqueue(new MockResponse.Builder().body("second").build());
			this.streams.policyContext()
				.applyOverlay("test", "{\"s\":[{\"t\":{\"port\":" + other.getPort() + "}}]}");
			stream.requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
			assertThat(new String(handler.received())).isEqualTo("firstsecond");
		}
	}

	@Test
	void streamOfAStreamtypeThePolicyLosesIsDestroyedOnlyWhenDirect() {
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> {
		});
		this.streams.policyContext()
			.applyOverlay("added", "{\"s\":[{\"extra\":{\"endpoint\":\"127.0.0.1\",\"port\":1}}]}");
		RecordingHandler extra = new RecordingHandler();
		SecureStream stream = this.streams.streams().create("extra", extra);
		extra.await(StreamState.CREATING, WAIT);
		this.streams.policyContext().resetOverlays();
		if (proxied()) {
			// The proxy closes the link of a stream it destroyed; a new link's STREAMTYPE fails.
			awaitSettled(extra, 1);
			assertThat(stream.whenDestroyed().toCompletableFuture()).isNotDone();
		}
		else {
			assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
			assertThat(extra.stateNames()).containsExactly("CREATING", "DESTROYING");
		}
	}

}
