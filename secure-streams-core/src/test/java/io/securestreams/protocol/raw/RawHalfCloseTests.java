package io.securestreams.protocol.raw;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLSocket;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.TxSlot;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
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
 * A JDK socket peer that half-closes (sends, then {@code shutdownOutput}; over TLS 1.3 a
 * close_notify) while the raw stream still has its answer to send, as {@code nc -N} or socat do
 * with a request read from stdin: the whole answer arrives, then the connection ends. Through the
 * proxy the onward connection closes once the proxy has sent what it holds from the client
 * (docs/streams.md), so only direct here.
 */
class RawHalfCloseTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	/** Answers the first bytes received with {@code body}, asking for tx after each piece. */
	private static RecordingHandler answering(byte[] body) {
		return new RecordingHandler() {
			private boolean answered;

			@Override
			public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
				super.onRx(stream, payload, flags);
				if (!this.answered) {
					this.answered = true;
					send(body, 16 * 1024);
					stream.requestTx();
				}
				return StreamResult.OK;
			}

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				StreamResult result = super.onTx(stream, slot);
				if (result == StreamResult.OK && (slot.flags() & StreamFlags.EOM) == 0) {
					stream.requestTx();
				}
				return result;
			}
		};
	}

	private static Socket connect(int port, boolean tls) throws Exception {
		if (!tls) {
			return new Socket("127.0.0.1", port);
		}
		SSLSocket socket = (SSLSocket) TestPki.serverContext(TestPki.client()).getSocketFactory()
			.createSocket("127.0.0.1", port);
		// TLS 1.3 lets a side end its sending with close_notify and go on reading (RFC 8446 section
		// 6.1), which the JDK's shutdownOutput does.
		socket.setEnabledProtocols(new String[] { "TLSv1.3" });
		socket.startHandshake();
		return socket;
	}

	private static byte[] body() {
		byte[] body = new byte[4 * 1024 * 1024];
		new Random(3).nextBytes(body);
		return body;
	}

	@ParameterizedTest(name = "tls {0}")
	@ValueSource(booleans = { false, true })
	void anAcceptedStreamAnswersAPeerThatSentItsRequestAndHalfClosed(boolean tls) throws Exception {
		byte[] body = body();
		RecordingHandler server = answering(body);
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("rawsrv"), Protocol.RAW, tls);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		SecureStream listener = streams.create("rawsrv", server);
		try (Socket socket = connect(((InetSocketAddress) listener.localAddress()).getPort(), tls)) {
			socket.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
			socket.shutdownOutput();
			socket.setSoTimeout((int) WAIT.toMillis());
			InputStream in = socket.getInputStream();
			// Everything, then the end of the stream: the server closes once it has answered.
			assertThat(in.readAllBytes()).isEqualTo(body);
		}
		server.await(StreamState.DESTROYING, WAIT);
		assertThat(new String(server.received(), StandardCharsets.US_ASCII)).isEqualTo("request");
		assertThat(server.stateNames()).containsExactly("CREATING", "CREATING", "CONNECTING", "CONNECTED",
				"DISCONNECTED", "DESTROYING");
	}

	/**
	 * After a TLS 1.2 close_notify this side's engine sends nothing more (RFC 5246 section 7.2.1):
	 * a handler that still has more to send (here, without end) must see its connection end, not
	 * stay CONNECTED while every piece it gives is dropped by the engine.
	 */
	@Test
	void anAcceptedStreamStillSendingAfterATls12ClientsCloseNotifyIsDisconnected() throws Exception {
		AtomicLong given = new AtomicLong();
		RecordingHandler server = new RecordingHandler() {
			@Override
			public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
				super.onRx(stream, payload, flags);
				stream.requestTx();
				return StreamResult.OK;
			}

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				slot.buffer().put(new byte[1024]);
				given.addAndGet(1024);
				stream.requestTx();
				return StreamResult.OK;
			}
		};
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("rawsrv"), Protocol.RAW, true);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		SecureStream listener = streams.create("rawsrv", server);
		try (SSLSocket socket = (SSLSocket) TestPki.serverContext(TestPki.client()).getSocketFactory()
			.createSocket("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort())) {
			socket.setEnabledProtocols(new String[] { "TLSv1.2" });
			socket.startHandshake();
			socket.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
			socket.getOutputStream().flush();
			Awaitility.await().atMost(WAIT).until(() -> given.get() > 0);
			// TLS 1.2: close_notify, which the server's engine answers with its own.
			socket.shutdownOutput();
			socket.setSoTimeout((int) WAIT.toMillis());
			socket.getInputStream().readAllBytes();
			// The client keeps its socket open: only the server's own close ends the connection.
			server.await(StreamState.DESTROYING, WAIT);
		}
		assertThat(server.stateNames()).containsExactly("CREATING", "CREATING", "CONNECTING", "CONNECTED",
				"DISCONNECTED", "DESTROYING");
	}

	@Test
	void aClientStreamFinishesSendingToAServerThatHalfClosedAfterItsGreeting() throws Exception {
		byte[] body = body();
		RecordingHandler client = answering(body);
		try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.raw(fragment.streamType("raw"), peer.getLocalPort()).set(StreamTypeKey.OPPORTUNISTIC, true);
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
			streams.create("raw", client).connect();
			try (Socket socket = peer.accept()) {
				socket.getOutputStream().write("greeting".getBytes(StandardCharsets.US_ASCII));
				socket.shutdownOutput();
				socket.setSoTimeout((int) WAIT.toMillis());
				assertThat(socket.getInputStream().readAllBytes()).isEqualTo(body);
			}
		}
		client.await(StreamState.DISCONNECTED, WAIT);
		assertThat(client.stateNames()).startsWith("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
	}

}
