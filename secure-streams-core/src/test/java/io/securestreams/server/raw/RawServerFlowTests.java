package io.securestreams.server.raw;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Large transfers through accepted raw streams with JDK socket peers: an accepted stream writing
 * to a peer that does not read is not asked for more once the socket's buffers are full (memory
 * stays bounded) and the whole body arrives byte-exact once the peer reads; a peer that sends
 * 50 MB and half-closes has every byte delivered before the stream ends.
 */
class RawServerFlowTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStream listener(boolean tls, RecordingHandler handler) {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("rawsrv"), Protocol.RAW, tls);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		return streams.create("rawsrv", handler);
	}

	private static Socket connect(SecureStream listener, boolean tls) throws Exception {
		int port = ((InetSocketAddress) listener.localAddress()).getPort();
		if (!tls) {
			return new Socket("127.0.0.1", port);
		}
		// The test PKI's context trusts its CA, which signed the listener's certificate.
		Socket socket = TestPki.serverContext(TestPki.client()).getSocketFactory().createSocket("127.0.0.1", port);
		((javax.net.ssl.SSLSocket) socket).startHandshake();
		return socket;
	}

	@ParameterizedTest(name = "tls {0}")
	@ValueSource(booleans = { false, true })
	void aPeerThatDoesNotReadStopsTheTxCallsAndLaterGetsEveryByte(boolean tls) throws Exception {
		byte[] body = new byte[32 * 1024 * 1024];
		new Random(11).nextBytes(body);
		AtomicInteger txCalls = new AtomicInteger();
		RecordingHandler server = new RecordingHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.CONNECTED) {
					stream.requestTx();
				}
				return super.onState(stream, state, ack);
			}

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				txCalls.incrementAndGet();
				StreamResult result = super.onTx(stream, slot);
				stream.requestTx();
				return result;
			}
		}.send(body, 16 * 1024);
		SecureStream listener = listener(tls, server);
		try (Socket socket = connect(listener, tls)) {
			server.await(StreamState.CONNECTED, Duration.ofSeconds(10));
			// The socket buffers fill up, then no more onTx until the peer reads.
			int[] last = { -1 };
			Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
				int now = txCalls.get();
				boolean same = now == last[0];
				last[0] = now;
				return same;
			});
			int stalled = txCalls.get();
			Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
				.until(() -> txCalls.get() == stalled);
			assertThat((long) stalled * 16 * 1024).isLessThan(body.length / 2);
			InputStream in = socket.getInputStream();
			byte[] got = in.readNBytes(body.length);
			assertThat(MessageDigest.getInstance("SHA-256").digest(got))
				.isEqualTo(MessageDigest.getInstance("SHA-256").digest(body));
		}
	}

	@Test
	void fiftyMegabytesThenAHalfCloseArriveWholeBeforeTheStreamEnds() throws Exception {
		byte[] body = new byte[50 * 1024 * 1024];
		new Random(5).nextBytes(body);
		MessageDigest digest = MessageDigest.getInstance("SHA-256");
		AtomicLong count = new AtomicLong();
		RecordingHandler server = new RecordingHandler() {
			@Override
			public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
				this.rxFlags.add(flags);
				count.addAndGet(payload.remaining());
				digest.update(payload);
				return StreamResult.OK;
			}
		};
		SecureStream listener = listener(false, server);
		try (Socket socket = connect(listener, false)) {
			socket.getOutputStream().write(body);
			socket.shutdownOutput();
			server.await(StreamState.DESTROYING, Duration.ofSeconds(30));
			assertThat(count.get()).isEqualTo(body.length);
			assertThat(digest.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(body));
			assertThat(server.rxFlags).containsOnly(0);
			// The listener's CREATING, then the accepted stream's life.
			assertThat(server.stateNames()).containsExactly("CREATING", "CREATING", "CONNECTING", "CONNECTED",
					"DISCONNECTED", "DESTROYING");
			socket.setSoTimeout(5000);
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
	}

}
