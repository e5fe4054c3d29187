package io.securestreams.protocol.h2;

import java.nio.ByteBuffer;
import java.time.Duration;

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
import org.eclipse.jetty.util.Callback;
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

	@BeforeEach
	void startJetty() throws Exception {
		this.connector = H2TestServers.startJettyH2c(this.jetty, new Handler.Abstract() {
			@Override
			public boolean handle(Request request, Response response, Callback callback) {
				response.setStatus(200);
				response.write(true, ByteBuffer.wrap(H2PeerTxCreditTests.this.body), callback);
				return true;
			}
		});
	}

	@AfterEach
	void stopJetty() throws Exception {
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
	void withoutAnInitialCreditTheWindowFollowsReading(Mode mode) {
		StreamsUnderTest streams = start(mode, 1_000_000);
		RecordingHandler handler = new RecordingHandler();
		streams.streams().create("get", handler).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.received()).isEqualTo(this.body);
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
