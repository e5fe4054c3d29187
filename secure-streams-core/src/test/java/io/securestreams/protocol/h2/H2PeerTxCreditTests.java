package io.securestreams.protocol.h2;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import io.securestreams.SecureStream;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Manual rx flow control of h2 streams ({@code manual_initial_tx_credit} and
 * {@code lws_ss_add_peer_tx_credit}), against Jetty's h2c server, which sends all the window
 * allows and then waits: a stream created with an initial credit receives that much of a larger
 * response and no more until the application grants more, directly and through our proxy (the
 * credit in STREAMTYPE, the grants as TXCR_UPDATE frames, every frame checked by the relay).
 * (OkHttp's h2 server is no judge here: it keeps a DATA frame smaller than a buffer segment
 * unflushed while it waits for window, so it stops short of the credit.)
 */
class H2PeerTxCreditTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	// Long enough for a server that ignored the window to send more than it may.
	private static final Duration STALLED = Duration.ofMillis(700);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final Server jetty = new Server();

	private ServerConnector connector;

	private volatile byte[] body = new byte[0];

	// When set, the server sends the response's head at once and its body once this opens.
	private volatile @Nullable CountDownLatch bodyHeld;

	@BeforeEach
	void startJetty() throws Exception {
		this.connector = H2TestServers.startJettyH2c(this.jetty, new Handler.Abstract() {
			@Override
			public boolean handle(Request request, Response response, Callback callback) {
				response.setStatus(200);
				ByteBuffer content = ByteBuffer.wrap(H2PeerTxCreditTests.this.body);
				CountDownLatch held = H2PeerTxCreditTests.this.bodyHeld;
				if (held == null) {
					response.write(true, content, callback);
					return true;
				}
				response.write(false, BufferUtil.EMPTY_BUFFER, Callback.from(() -> new Thread(() -> {
					try {
						held.await();
						response.write(true, content, callback);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
						callback.failed(ex);
					}
				}, "held-body").start(), callback::failed));
				return true;
			}
		});
	}

	@AfterEach
	void stopJetty() throws Exception {
		CountDownLatch held = this.bodyHeld;
		if (held != null) {
			held.countDown();
		}
		this.jetty.stop();
	}

	private StreamsUnderTest start(Mode mode, int size) {
		this.body = pattern(size);
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", this.connector.getLocalPort(), "GET", "/get")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2);
		return this.resources.start(mode, fragment.build());
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void theServerSendsNoMoreThanTheCreditGranted(Mode mode) {
		StreamsUnderTest streams = start(mode, 300_000);
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.streams().create("get", handler, 100_000);
		stream.requestTx();
		handler.await(StreamState.CONNECTED, WAIT);
		stallsAt(handler, 100_000);
		stream.addPeerTxCredit(50_000);
		stallsAt(handler, 150_000);
		stream.addPeerTxCredit(150_000);
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.received()).isEqualTo(this.body);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aCreditBelowTheInitialWindowStillAdmitsItButNothingMoreUntilGranted(Mode mode) {
		StreamsUnderTest streams = start(mode, 100_000);
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.streams().create("get", handler, 10_000);
		stream.requestTx();
		handler.await(StreamState.CONNECTED, WAIT);
		// h2 lets the server send its initial stream window before any update.
		stallsAt(handler, 65_535);
		stream.addPeerTxCredit(100_000 - 65_535);
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.received()).isEqualTo(this.body);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aGrantMadeAsTheTransactionStartsCounts(Mode mode) {
		StreamsUnderTest streams = start(mode, 200_000);
		RecordingHandler handler = new RecordingHandler().onState((stream, state) -> {
			if (state == StreamState.CONNECTING) {
				// Usually before the transaction's h2 stream is open.
				stream.addPeerTxCredit(20_000);
			}
			return StreamResult.OK;
		});
		SecureStream stream = streams.streams().create("get", handler, 100_000);
		stream.requestTx();
		handler.await(StreamState.CONNECTED, WAIT);
		stallsAt(handler, 120_000);
		stream.addPeerTxCredit(80_000);
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.received()).isEqualTo(this.body);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void eachTransactionStartsAgainFromTheInitialCredit(Mode mode) {
		StreamsUnderTest streams = start(mode, 150_000);
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.streams().create("get", handler, 100_000);
		stream.requestTx();
		handler.await(StreamState.CONNECTED, WAIT);
		stallsAt(handler, 100_000);
		// More than the rest of this response: what is left over does not carry to the next one.
		stream.addPeerTxCredit(200_000);
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		handler.await(StreamState.DISCONNECTED, WAIT);
		stream.requestTx();
		handler.await(StreamState.CONNECTED, 2, WAIT);
		stallsAt(handler, 250_000);
		stream.addPeerTxCredit(50_000);
		handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
		assertThat(handler.received()).hasSize(300_000);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aGrantFarBeyondTheProxysBufferIsTakenAtTheClientsPace(Mode mode) {
		// A proxy's onward stream offers the granted credit 64 KiB at a time, as it is read, so that
		// what it holds for a slower client stays within proxy_buflen (here the default, 32 KiB).
		this.body = pattern(2_000_000);
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", this.connector.getLocalPort(), "GET", "/get")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2);
		// Several loops, so that the onward h2 stream and the client's link are served apart and
		// rx is handed from one to the other, as in a proxy process.
		StreamsUnderTest streams = this.resources.start(mode, fragment.build(), (b) -> b.eventLoopThreads(4));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.streams().create("get", handler, 100_000);
		stream.requestTx();
		handler.await(StreamState.CONNECTED, WAIT);
		stallsAt(handler, 100_000);
		// From now on a client slower than the server.
		handler.slowRx(Duration.ofMillis(1));
		stream.addPeerTxCredit(4_000_000);
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.received()).isEqualTo(this.body);
		assertThat(handler.states).doesNotContain(StreamState.QOS_NACK_REMOTE);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void theEstimateIsTheCreditAndGrantsOfTheTransactionLessItsPayload(Mode mode) {
		CountDownLatch held = holdBody();
		StreamsUnderTest streams = start(mode, 300_000);
		List<Integer> atRx = new CopyOnWriteArrayList<>();
		RecordingHandler handler = new RecordingHandler() {
			@Override
			public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
				StreamResult result = super.onRx(stream, payload, flags);
				atRx.add(stream.estimatedPeerTxCredit() + received().length);
				return result;
			}
		};
		SecureStream stream = streams.streams().create("get", handler, 100_000);
		assertThat(stream.estimatedPeerTxCredit()).as("before any transaction").isZero();
		stream.requestTx();
		handler.await(StreamState.CONNECTED, WAIT);
		assertThat(stream.estimatedPeerTxCredit()).as("with the head and none of the body").isEqualTo(100_000);
		stream.addPeerTxCredit(20_000);
		Awaitility.await().atMost(WAIT).until(stream::estimatedPeerTxCredit, (estimate) -> estimate == 120_000);
		held.countDown();
		stallsAt(handler, 120_000);
		assertThat(stream.estimatedPeerTxCredit()).as("with the credit used up").isZero();
		// Each rx saw what it and all before it took from the credit (a direct stream may have
		// read more already, which only lowers the estimate).
		assertThat(atRx).isNotEmpty().allSatisfy((total) -> assertThat(total).isLessThanOrEqualTo(120_000));
		stream.addPeerTxCredit(200_000);
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(handler.received()).isEqualTo(this.body);
		assertThat(stream.estimatedPeerTxCredit()).as("after the transaction").isZero();
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void withoutAnInitialCreditThereIsNoEstimate(Mode mode) {
		CountDownLatch held = holdBody();
		StreamsUnderTest streams = start(mode, 100_000);
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.streams().create("get", handler);
		stream.requestTx();
		handler.await(StreamState.CONNECTED, WAIT);
		stream.addPeerTxCredit(20_000);
		assertThat(stream.estimatedPeerTxCredit()).isZero();
		held.countDown();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.received()).isEqualTo(this.body);
		assertThat(stream.estimatedPeerTxCredit()).isZero();
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void withoutAnInitialCreditTheWindowFollowsReading(Mode mode) {
		StreamsUnderTest streams = start(mode, 1_000_000);
		RecordingHandler handler = new RecordingHandler();
		streams.streams().create("get", handler).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.received()).isEqualTo(this.body);
	}

	private CountDownLatch holdBody() {
		CountDownLatch held = new CountDownLatch(1);
		this.bodyHeld = held;
		return held;
	}

	private static void stallsAt(RecordingHandler handler, int bytes) {
		Awaitility.await().atMost(WAIT).until(() -> handler.received().length >= bytes);
		Awaitility.await().during(STALLED).atMost(STALLED.multipliedBy(3))
			.untilAsserted(() -> assertThat(handler.received()).hasSize(bytes));
	}

	private static byte[] pattern(int size) {
		byte[] bytes = new byte[size];
		for (int i = 0; i < size; i++) {
			bytes[i] = (byte) (i % 251);
		}
		return bytes;
	}

}
