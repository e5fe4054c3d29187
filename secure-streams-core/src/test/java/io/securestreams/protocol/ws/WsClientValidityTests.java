package io.securestreams.protocol.ws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.HandRolledWsServer;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connection validity of ws client streams as libwebsockets has it: only a PONG (or the
 * application's {@code validityConfirmed()}) proves the connection alive, so a server that keeps
 * sending data but never answers PINGs is pinged and hung up on, and one that answers stays.
 * The retry policy pings after 1 s and hangs up after 2 s.
 */
class WsClientValidityTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private RecordingHandler connect(int port) {
		PolicyFragment fragment = TestPolicies.base();
		fragment.retry(new RetryPolicy("valid", List.of(100), RetryPolicy.CONCEAL_FOREVER, 0, 1, 2));
		TestPolicies.ws(fragment.streamType("ws"), port, "/").set(StreamTypeKey.RETRY, "valid");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler();
		streams.create("ws", handler).connect();
		return handler;
	}

	@Test
	void aServerThatStreamsDataButNeverAnswersPingsIsHungUpOn() throws Exception {
		try (ChattyServer server = new ChattyServer(false); LogCapture logs = new LogCapture()) {
			RecordingHandler handler = connect(server.port());
			handler.await(StreamState.CONNECTED, Duration.ofSeconds(10));
			// svalidhup 2 s, and a margin for a loaded machine: the data every 300 ms must not count.
			handler.await(StreamState.DISCONNECTED, Duration.ofSeconds(8));
			assertThat(server.opcodes).as("the client sent a PING").contains(0x9);
			assertThat(handler.received()).as("data kept arriving meanwhile").isNotEmpty();
			assertThat(logs.contains("validity timeout")).isTrue();
		}
	}

	@Test
	void aServerThatAnswersPingsStaysConnected() throws Exception {
		try (ChattyServer server = new ChattyServer(true)) {
			RecordingHandler handler = connect(server.port());
			handler.await(StreamState.CONNECTED, Duration.ofSeconds(10));
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.pongs.get() >= 2);
			// Two PINGs answered, then past svalidhup again: still the first connection.
			Awaitility.await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5))
				.until(() -> !handler.states.contains(StreamState.DISCONNECTED));
			assertThat(server.connections.get()).isEqualTo(1);
		}
	}

	/**
	 * A ws server on a plain socket: completes the upgrade, sends a TEXT frame every 300 ms, reads
	 * the client's frames and answers its PINGs with PONGs only when told to.
	 */
	static final class ChattyServer implements AutoCloseable {

		final List<Integer> opcodes = new CopyOnWriteArrayList<>();

		final AtomicInteger pongs = new AtomicInteger();

		final AtomicInteger connections = new AtomicInteger();

		private final ServerSocket socket;

		private final boolean answerPings;

		private final List<Socket> accepted = new CopyOnWriteArrayList<>();

		ChattyServer(boolean answerPings) throws IOException {
			this.socket = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
			this.answerPings = answerPings;
			Thread acceptor = new Thread(this::acceptAll, "chatty-ws-accept");
			acceptor.setDaemon(true);
			acceptor.start();
		}

		int port() {
			return this.socket.getLocalPort();
		}

		private void acceptAll() {
			try {
				while (true) {
					Socket s = this.socket.accept();
					this.accepted.add(s);
					this.connections.incrementAndGet();
					Thread serving = new Thread(() -> serve(s), "chatty-ws-read");
					serving.setDaemon(true);
					serving.start();
				}
			}
			catch (IOException ex) {
				// Closed by the test.
			}
		}

		private void serve(Socket s) {
			try {
				InputStream in = s.getInputStream();
				OutputStream out = s.getOutputStream();
				upgrade(in, out);
				Thread talker = new Thread(() -> talk(out), "chatty-ws-talk");
				talker.setDaemon(true);
				talker.start();
				while (true) {
					int first = in.read();
					int second = in.read();
					if (first < 0 || second < 0) {
						return;
					}
					int opcode = first & 0x0f;
					this.opcodes.add(opcode);
					byte[] mask = in.readNBytes(4);
					byte[] payload = in.readNBytes(second & 0x7f);
					for (int i = 0; i < payload.length; i++) {
						payload[i] ^= mask[i % 4];
					}
					if (opcode == 0x9 && this.answerPings) {
						write(out, 0x8a, payload);
						this.pongs.incrementAndGet();
					}
				}
			}
			catch (IOException ex) {
				// The client hung up, or the test closed the socket.
			}
		}

		private void talk(OutputStream out) {
			try {
				while (true) {
					write(out, 0x81, "tick".getBytes(StandardCharsets.US_ASCII));
					Thread.sleep(300);
				}
			}
			catch (IOException | InterruptedException ex) {
				// The connection is gone.
			}
		}

		// The reader (PONGs) and the talker share the stream: one frame at a time.
		private static void write(OutputStream out, int first, byte[] payload) throws IOException {
			synchronized (out) {
				out.write(first);
				out.write(payload.length);
				out.write(payload);
				out.flush();
			}
		}

		private static void upgrade(InputStream in, OutputStream out) throws IOException {
			ByteArrayOutputStream head = new ByteArrayOutputStream();
			while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
				int b = in.read();
				if (b < 0) {
					throw new IOException("closed during the upgrade request");
				}
				head.write(b);
			}
			String key = ScriptedPeer.header(head.toString(StandardCharsets.US_ASCII), "sec-websocket-key");
			out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Accept: " + HandRolledWsServer.accept(key) + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
			for (Socket s : this.accepted) {
				s.close();
			}
		}

	}

}
