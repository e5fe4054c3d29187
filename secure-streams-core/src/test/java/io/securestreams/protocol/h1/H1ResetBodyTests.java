package io.securestreams.protocol.h1;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import javax.net.ssl.SSLSocket;

import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A response body that runs until the server closes, cut by a connection reset, or over TLS by a
 * close without the close_notify alert (RFC 9112 section 9.8), instead of the server's clean close:
 * the body may be cut short, so it is no complete message.
 */
class H1ResetBodyTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aBodyEndedByAConnectionResetIsNotComplete() throws Exception {
		try (ServerSocket peer = new ServerSocket()) {
			peer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
			Thread server = new Thread(() -> answerThenReset(peer), "reset-peer");
			server.setDaemon(true);
			server.start();
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", peer.getLocalPort(), "GET", "/")
				.set(StreamTypeKey.RETRY, null);
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
			RecordingHandler handler = new RecordingHandler();
			streams.create("get", handler).requestTx();
			handler.await(StreamState.DISCONNECTED, WAIT);
			assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("partial");
			assertThat(handler.rxFlags).noneMatch((flags) -> StreamFlags.has(flags, StreamFlags.EOM));
			assertThat(handler.stateNames()).doesNotContain("QOS_ACK_REMOTE", "QOS_NACK_REMOTE");
		}
	}

	@Test
	void aBodyEndedByAClosedConnectionWithoutTlsCloseNotifyIsNotComplete() throws Exception {
		RecordingHandler handler = getOverTls(false);
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("partial");
		assertThat(handler.rxFlags).noneMatch((flags) -> StreamFlags.has(flags, StreamFlags.EOM));
		assertThat(handler.stateNames()).doesNotContain("QOS_ACK_REMOTE", "QOS_NACK_REMOTE");
	}

	@Test
	void aBodyEndedByTlsCloseNotifyIsComplete() throws Exception {
		RecordingHandler handler = getOverTls(true);
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("partial");
		assertThat(handler.stateNames()).containsSubsequence("CONNECTED", "QOS_ACK_REMOTE", "DISCONNECTED");
	}

	private RecordingHandler getOverTls(boolean closeNotify) throws Exception {
		ServerSocket peer = this.resources.closing(new ServerSocket());
		peer.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
		Thread server = new Thread(() -> answerThenCloseUnderTls(peer, closeNotify), "tls-peer");
		server.setDaemon(true);
		server.start();
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("get"), "localhost", peer.getLocalPort(), "GET", "/")
			.set(StreamTypeKey.RETRY, null)
			.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler();
		streams.create("get", handler).requestTx();
		return handler;
	}

	// Answers over TLS with a body delimited by the connection's end, then closes TLS with its
	// close_notify, or only the TCP connection under it, as an attacker cutting the body would.
	private static void answerThenCloseUnderTls(ServerSocket peer, boolean closeNotify) {
		try (Socket raw = peer.accept()) {
			SSLSocket tls = (SSLSocket) TestPki.serverContext(TestPki.server()).getSocketFactory()
				.createSocket(raw, null, raw.getPort(), false);
			tls.setUseClientMode(false);
			InputStream in = tls.getInputStream();
			ScriptedPeer.readHead(in);
			OutputStream out = tls.getOutputStream();
			out.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\npartial".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			Thread.sleep(300);
			if (closeNotify) {
				tls.close();
			}
		}
		catch (Exception ex) {
			// the test's assertions tell what happened
		}
	}

	// Answers with a body delimited by the connection's end, then resets the connection (a linger
	// of zero makes the close an RST) once the client has read the first bytes.
	private static void answerThenReset(ServerSocket peer) {
		try (Socket socket = peer.accept()) {
			InputStream in = socket.getInputStream();
			ScriptedPeer.readHead(in);
			OutputStream out = socket.getOutputStream();
			out.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\npartial".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			Thread.sleep(300);
			socket.setSoLinger(true, 0);
		}
		catch (Exception ex) {
			// the test's assertions tell what happened
		}
	}

}
