package io.securestreams.protocol.h1;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Answers a well-behaved server never gives, written byte by byte: the stream fails the attempt
 * with a reason instead of waiting forever.
 */
class H1HostileServerTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aSwitchingProtocolsAnswerNobodyAskedForFailsTheAttempt() throws Exception {
		try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			Thread server = new Thread(() -> answerOnce(peer,
					"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: other\r\n\r\nnot http"));
			server.setDaemon(true);
			server.start();
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", peer.getLocalPort(), "GET", "/");
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
			RecordingHandler handler = new RecordingHandler();
			streams.create("get", handler).requestTx();
			handler.await(StreamState.UNREACHABLE, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).startsWith("CREATING", "POLL", "CONNECTING", "UNREACHABLE");
			assertThat(handler.received()).isEmpty();
		}
	}

	// Reads the request head, writes the answer and holds the connection open until the client leaves.
	private static void answerOnce(ServerSocket peer, String answer) {
		try (Socket socket = peer.accept()) {
			InputStream in = socket.getInputStream();
			int matched = 0;
			byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
			while (matched < end.length) {
				int b = in.read();
				if (b < 0) {
					return;
				}
				matched = (b == end[matched]) ? matched + 1 : ((b == end[0]) ? 1 : 0);
			}
			OutputStream out = socket.getOutputStream();
			out.write(answer.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			while (in.read() >= 0) {
				// until the client closes
			}
		}
		catch (Exception ex) {
			// the test's assertions tell what happened
		}
	}

}
