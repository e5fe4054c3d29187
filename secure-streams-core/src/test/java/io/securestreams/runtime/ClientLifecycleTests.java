package io.securestreams.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamInfo;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The client stream lifecycle of reference §1.4 and §5: POLL, CONNECTING, reconnects, retry
 * counting, nailed-up and opportunistic streams, callback results and timeouts.
 */
class ClientLifecycleTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private SecureStreams streams;

	private SecureStream create(RecordingHandler handler, java.util.function.Consumer<StreamTypePolicy.Builder> keys) {
		PolicyFragment fragment = TestPolicies.base();
		keys.accept(TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", "/x"));
		this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		return this.streams.create("t", handler);
	}

	/**
	 * Creates a stream of {@code t} and completes one transaction with the test's server, which
	 * answers "first": the state the overlay and policy replacement tests start from.
	 */
	private SecureStream afterFirstTransaction(RecordingHandler handler) {
		this.server.enqueue(new MockResponse.Builder().body("first").build());
		SecureStream stream = create(handler, (b) -> {
		});
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		return stream;
	}

	/**
	 * Starts the server those tests move {@code t} to; it answers "second". The caller closes it,
	 * before the context, as the tests always did.
	 */
	private static MockWebServer secondServer() throws IOException {
		MockWebServer other = new MockWebServer();
		other.start(InetAddress.getByName("127.0.0.1"), 0);
		other.enqueue(new MockResponse.Builder().body("second").build());
		return other;
	}

	@Test
	void nailedUpIsOnlyAboutCreationAndAnOpportunisticNailedUpStreamStaysIdleAfterADrop() {
		// Reference 5.3: the flag is consulted at creation only; reconnecting is opportunistic's.
		this.server.enqueue(new MockResponse.Builder().body("partial body")
			.onResponseBody(SocketEffect.ShutdownConnection.INSTANCE).build());
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> b.set(StreamTypeKey.NAILED_UP, true).set(StreamTypeKey.OPPORTUNISTIC, true));
		handler.await(StreamState.DISCONNECTED, WAIT);
		Awaitility.await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(3))
			.until(() -> handler.states.size() == 4);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
	}

	@Test
	void streamsThatAreNeitherNailedUpNorAskedStayIdle() {
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> {
		});
		Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
			.until(() -> handler.stateNames().equals(List.of("CREATING")));
		assertThat(this.server.getRequestCount()).isZero();
	}

	@Test
	void requestTxAfterAllRetriesFailedDoesNotResetTheCounterButConnectDoes() throws Exception {
		int port = this.resources.refusedPort();
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create(handler, (b) -> b.set(StreamTypeKey.PORT, port).set(StreamTypeKey.RETRY, "once"));
		stream.requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE", "POLL",
				"CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
		handler.states.clear();
		stream.requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).containsExactly("POLL", "CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
		handler.states.clear();
		stream.connect();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CONNECTING", "UNREACHABLE", "POLL", "CONNECTING",
				"UNREACHABLE", "ALL_RETRIES_FAILED");
	}

	@Test
	void establishingAConnectionResetsTheRetryCounter() {
		// Two refused connections, then the server answers: "once" would give up after two failures.
		AtomicInteger attempts = new AtomicInteger();
		this.server.setDispatcher(new mockwebserver3.Dispatcher() {
			@Override
			public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
				return (attempts.incrementAndGet() == 1)
						? new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build()
						: new MockResponse.Builder().body("ok").build();
			}
		});
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create(handler, (b) -> b.set(StreamTypeKey.RETRY, "once"));
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE", "POLL",
				"CONNECTING", "CONNECTED", "QOS_ACK_REMOTE");
		assertThat(stream.info().retries()).isZero();
	}

	@Test
	void destroyMeFromACallbackDestroysTheStreamAfterItReturns() {
		this.server.enqueue(new MockResponse.Builder().body("never read").build());
		RecordingHandler handler = new RecordingHandler()
			.onState((s, state) -> (state == StreamState.CONNECTED) ? StreamResult.DESTROY_ME : StreamResult.OK);
		SecureStream stream = create(handler, (b) -> {
		});
		stream.requestTx();
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"DISCONNECTED", "DESTROYING");
		assertThat(handler.received()).isEmpty();
		assertThat(this.streams.streams()).isEmpty();
		stream.requestTx();
		assertThat(handler.stateNames()).endsWith("DESTROYING");
	}

	@Test
	void whenDestroyedCompletesOnlyAfterTheStreamLeftTheContext() {
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create(handler, (b) -> {
		});
		SecureStream other = this.streams.create("t", new RecordingHandler());
		CompletableFuture<List<Long>> listedAtCompletion = stream.whenDestroyed()
			.thenApply((ignored) -> this.streams.streams().stream().map(StreamInfo::id).toList())
			.toCompletableFuture();
		assertThat(listedAtCompletion).isNotDone();
		stream.destroy();
		assertThat(listedAtCompletion).succeedsWithin(WAIT).isEqualTo(List.of(other.id()));
		assertThat(handler.stateNames()).containsExactly("CREATING", "DESTROYING");
		this.streams.close();
		assertThat(other.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
	}

	@Test
	void disconnectMeClosesTheConnectionAndKeepsTheStream() {
		this.server.setDispatcher(new HttpbinDispatcher());
		AtomicInteger connected = new AtomicInteger();
		RecordingHandler handler = new RecordingHandler().onState((s, state) -> (state == StreamState.CONNECTED
				&& connected.incrementAndGet() == 1) ? StreamResult.DISCONNECT_ME : StreamResult.OK);
		SecureStream stream = create(handler, (b) -> b.set(StreamTypeKey.HTTP_URL, "/bytes/10"));
		stream.requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"DISCONNECTED", "POLL", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE");
	}

	@Test
	void timeoutIsReportedInAnyStateAndOkIgnoresIt() {
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create(handler, (b) -> b.set(StreamTypeKey.TIMEOUT_MS, 100L));
		stream.startTimeout(0);
		handler.await(StreamState.TIMEOUT, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "TIMEOUT");
		assertThat(this.streams.streams()).hasSize(1);
	}

	@Test
	void txDontSendFromTimeoutIsIgnoredAsLibwebsocketsDoes() {
		// lws_ss_timeout_sul_check_cb acts on DISCONNECT_ME and DESTROY_ME only, unlike other states.
		this.server.enqueue(new MockResponse.Builder().body("late").bodyDelay(500, TimeUnit.MILLISECONDS).build());
		RecordingHandler handler = new RecordingHandler().onState((s, state) -> {
			if (state == StreamState.CONNECTED) {
				s.startTimeout(50);
			}
			return (state == StreamState.TIMEOUT) ? StreamResult.TX_DONT_SEND : StreamResult.OK;
		});
		create(handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED", "TIMEOUT",
				"QOS_ACK_REMOTE");
	}

	@Test
	void startTimeoutZeroWithoutAPolicyTimeoutLeavesTheRunningTimerAlone() {
		// lws_ss_start_timeout(h, 0) with no timeout_ms returns without touching the timer
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create(handler, (b) -> {
		});
		stream.startTimeout(300);
		stream.startTimeout(0);
		handler.await(StreamState.TIMEOUT, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "TIMEOUT");
	}

	@Test
	void negativeTimeoutIsRefusedAsThroughAProxy() {
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create(handler, (b) -> b.set(StreamTypeKey.TIMEOUT_MS, 100L));
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> stream.startTimeout(-1))
			.withMessageContaining("timeout");
	}

	@Test
	void cancelledTimeoutDoesNotFire() {
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create(handler, (b) -> {
		});
		stream.startTimeout(200);
		stream.cancelTimeout();
		Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
			.until(() -> !handler.states.contains(StreamState.TIMEOUT));
	}

	@Test
	void callbacksRunOnTheStreamsEventLoopOneAtATime() {
		this.server.setDispatcher(new HttpbinDispatcher());
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> b.set(StreamTypeKey.HTTP_URL, "/bytes/100000")).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		Set<String> threads = Set.copyOf(handler.threads.subList(1, handler.threads.size()));
		assertThat(threads).hasSize(1);
		assertThat(threads.iterator().next()).startsWith("ss-loop");
	}

	@Test
	void unknownStreamtypeIsAClearError() {
		create(new RecordingHandler(), (b) -> {
		});
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> this.streams.create("nope", new RecordingHandler()))
			.withMessageContaining("unknown streamtype 'nope'")
			.withMessageContaining("[t]");
	}

	@Test
	void protocolWithoutABindingIsAClearErrorAtCreation() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("quic"), "127.0.0.1", this.server.getPort(), "GET", "/x")
			.set(StreamTypeKey.PROTOCOL, io.securestreams.policy.Protocol.H3);
		SecureStreams context = this.resources.start(SecureStreams.builder(fragment.build()));
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> context.create("quic", new RecordingHandler()))
			.withMessageContaining("protocol 'h3' is not supported")
			.withMessageContaining("h2");
	}

	@Test
	void destroyMeFromCreatingFailsCreation() {
		create(new RecordingHandler(), (b) -> {
		});
		RecordingHandler refusing = new RecordingHandler()
			.onState((s, state) -> (state == StreamState.CREATING) ? StreamResult.DESTROY_ME : StreamResult.OK);
		assertThatExceptionOfType(SecureStreamsException.class).isThrownBy(() -> this.streams.create("t", refusing))
			.withMessageContaining("DESTROY_ME");
		assertThat(refusing.stateNames()).containsExactly("CREATING", "DESTROYING");
	}

	@Test
	void undeclaredMetadataIsRejected() {
		SecureStream stream = create(new RecordingHandler(), (b) -> {
		});
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> stream.setMetadata("nope", "x"))
			.withMessageContaining("does not declare metadata 'nope'");
	}

	@Test
	void undeclaredMetadataInTheEndpointFailsTheAttempt() {
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> b.set(StreamTypeKey.ENDPOINT, "${nope}.example").set(StreamTypeKey.RETRY, null))
			.requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
	}

	@Test
	void shutdownGivesEveryStreamItsFinalStates() {
		this.server.enqueue(new MockResponse.Builder().body("kept alive").build());
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		this.streams.close();
		assertThat(handler.stateNames()).endsWith("QOS_ACK_REMOTE", "DISCONNECTED", "DESTROYING");
		assertThat(this.streams.streams()).isEmpty();
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> this.streams.create("t", new RecordingHandler()));
	}

	@Test
	void overlaysApplyToTheNextConnectionAndInvalidOnesChangeNothing() throws Exception {
		RecordingHandler handler = new RecordingHandler();
		afterFirstTransaction(handler);
		try (MockWebServer other = secondServer()) {
			long version = this.streams.activePolicy().version();
			assertThatExceptionOfType(io.securestreams.policy.PolicyException.class)
				.isThrownBy(() -> this.streams.applyOverlay("bad", "{\"s\":[{\"t\":{\"port\":\"x\"}}]}"));
			assertThat(this.streams.activePolicy().version()).isEqualTo(version);
			this.streams.applyOverlay("test", "{\"s\":[{\"t\":{\"port\":" + other.getPort() + "}}]}");
			assertThat(this.streams.activePolicy().version()).isEqualTo(version + 1);
			RecordingHandler next = new RecordingHandler();
			this.streams.create("t", next).requestTx();
			next.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(new String(next.received())).isEqualTo("second");
		}
	}

	@Test
	void overlayReconnectsExistingStreamsOfTheChangedStreamtype() throws Exception {
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = afterFirstTransaction(handler);
		try (MockWebServer other = secondServer()) {
			this.streams.applyOverlay("test", "{\"s\":[{\"t\":{\"port\":" + other.getPort() + "}}]}");
			handler.await(StreamState.DISCONNECTED, WAIT);
			stream.requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
			assertThat(new String(handler.received())).isEqualTo("firstsecond");
			assertThat(other.getRequestCount()).isEqualTo(1);
			this.streams.applyOverlay("added", "{\"s\":[{\"extra\":{\"endpoint\":\"127.0.0.1\",\"port\":1}}]}");
			RecordingHandler extra = new RecordingHandler();
			this.streams.create("extra", extra);
			this.streams.resetOverlays();
			extra.await(StreamState.DESTROYING, WAIT);
			handler.await(StreamState.DISCONNECTED, 2, WAIT);
			assertThat(this.streams.streams()).hasSize(1);
		}
	}

	@Test
	void replacingThePolicyReconnectsChangedStreamtypesAndDestroysVanishedOnes() throws Exception {
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = afterFirstTransaction(handler);
		try (MockWebServer other = secondServer()) {
			PolicyFragment change = new PolicyFragment();
			change.streamType("t").set(StreamTypeKey.PORT, other.getPort());
			this.streams.replacePolicy(change.applyTo(this.streams.policy()));
			handler.await(StreamState.DISCONNECTED, WAIT);
			stream.requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
			assertThat(new String(handler.received())).isEqualTo("firstsecond");
			this.streams.replacePolicy(TestPolicies.with("other", (b) -> b.set(StreamTypeKey.ENDPOINT, "localhost")));
			assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
			assertThat(handler.stateNames()).endsWith("DESTROYING");
			assertThat(this.streams.streams()).isEmpty();
		}
	}

}
