package io.securestreams.server.ws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connection validity on accepted streams upgraded to ws: with the server streamtype's retry
 * policy at {@code svalidping} 1 s and {@code svalidhup} 3 s, the server PINGs a client and hangs
 * up on one that stops answering; only a PONG counts as an answer, as in libwebsockets, so a
 * client that keeps sending data but ignores PINGs is hung up on too. The client is a plain socket that does
 * the ws handshake by hand and answers PINGs only as long as the test lets it.
 */
class WsServerValidityTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams streams;

	private SecureStream listener(StateRecorder handler) {
		PolicyFragment fragment = TestPolicies.base();
		fragment.retry(new RetryPolicy("valid", List.of(100), RetryPolicy.CONCEAL_FOREVER, 0, 1, 3));
		TestPolicies.server(fragment.streamType("wssrv"), Protocol.H1, false)
			.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol")
			.set(StreamTypeKey.RETRY, "valid");
		this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		return this.streams.create("wssrv", handler);
	}

	@Test
	void aClientThatStopsAnsweringPingsIsHungUpOn() throws Exception {
		StateRecorder handler = new StateRecorder();
		SecureStream listener = listener(handler);
		int port = ((InetSocketAddress) listener.localAddress()).getPort();
		try (LogCapture logs = new LogCapture(); Socket socket = new Socket("127.0.0.1", port)) {
			// Bounds the test should the server never hang up.
			socket.setSoTimeout(30_000);
			HandRolledClient client = new HandRolledClient(socket);
			client.upgrade();
			// Answers the first PING, then goes silent; reads until the server hangs up.
			List<Integer> opcodes = client.readUntilClosed(1);
			assertThat(opcodes).as("a PING kept alive by its PONG, another, then the hang-up without a close frame")
				.containsExactly(0x9, 0x9);
			assertThat(logs.contains("validity timeout")).isTrue();
		}
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> handler.accepted(listener.id()).size() == 1
				&& handler.accepted(listener.id()).get(0).contains(StreamState.DESTROYING));
		assertThat(handler.accepted(listener.id()).get(0)).containsExactly(StreamState.CREATING,
				StreamState.CONNECTING, StreamState.CONNECTED, StreamState.SERVER_UPGRADE, StreamState.DISCONNECTED,
				StreamState.DESTROYING);
	}

	@Test
	void aClientThatSendsDataButNeverAnswersPingsIsHungUpOn() throws Exception {
		StateRecorder handler = new StateRecorder();
		SecureStream listener = listener(handler);
		int port = ((InetSocketAddress) listener.localAddress()).getPort();
		try (LogCapture logs = new LogCapture(); Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(30_000);
			HandRolledClient client = new HandRolledClient(socket);
			client.upgrade();
			// Data every 300 ms proves nothing (libwebsockets takes only a PONG): pinged, then hung up.
			Thread talker = new Thread(() -> client.talkEvery(Duration.ofMillis(300)), "ws-validity-talker");
			talker.setDaemon(true);
			talker.start();
			List<Integer> opcodes = client.readUntilClosed(0);
			assertThat(opcodes).as("a PING, then the hang-up without a close frame").containsExactly(0x9);
			assertThat(logs.contains("validity timeout")).isTrue();
		}
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> handler.accepted(listener.id()).size() == 1
				&& handler.accepted(listener.id()).get(0).contains(StreamState.DESTROYING));
	}

	/** A ws client on a plain socket: sends masked frames, reads the server's unmasked ones. */
	static final class HandRolledClient {

		private final InputStream in;

		private final OutputStream out;

		HandRolledClient(Socket socket) throws IOException {
			this.in = socket.getInputStream();
			this.out = socket.getOutputStream();
		}

		void upgrade() throws IOException {
			String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
			this.out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
					+ "Sec-WebSocket-Protocol: echo-protocol\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			this.out.flush();
			ByteArrayOutputStream head = new ByteArrayOutputStream();
			while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
				int b = this.in.read();
				if (b < 0) {
					throw new IOException("closed during the upgrade answer: " + head);
				}
				head.write(b);
			}
			assertThat(head.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
		}

		/**
		 * Reads frames until the server closes the connection, answering the first PINGs.
		 * @param pongs how many PINGs to answer
		 * @return the opcodes of the frames read
		 */
		List<Integer> readUntilClosed(int pongs) throws IOException {
			List<Integer> opcodes = new ArrayList<>();
			int answered = 0;
			while (true) {
				int first = this.in.read();
				int second = this.in.read();
				if (first < 0 || second < 0) {
					return opcodes;
				}
				int opcode = first & 0x0f;
				opcodes.add(opcode);
				byte[] payload = this.in.readNBytes(second & 0x7f);
				if (opcode == 0x9 && answered < pongs) {
					answered++;
					pong(payload);
				}
			}
		}

		/** Sends a TEXT frame at each interval until the connection fails. */
		void talkEvery(Duration interval) {
			try {
				while (true) {
					send(0x81, "tick".getBytes(StandardCharsets.US_ASCII));
					Thread.sleep(interval.toMillis());
				}
			}
			catch (IOException | InterruptedException ex) {
				// The server hung up.
			}
		}

		private void pong(byte[] payload) throws IOException {
			send(0x8a, payload);
		}

		// The reader (PONGs) and a talker may share the stream: one frame at a time.
		private synchronized void send(int first, byte[] payload) throws IOException {
			byte[] mask = { 1, 2, 3, 4 };
			ByteArrayOutputStream frame = new ByteArrayOutputStream();
			frame.write(first);
			frame.write(0x80 | payload.length);
			frame.write(mask, 0, 4);
			for (int i = 0; i < payload.length; i++) {
				frame.write(payload[i] ^ mask[i % 4]);
			}
			this.out.write(frame.toByteArray());
			this.out.flush();
		}

	}

}
