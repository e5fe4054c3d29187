package io.securestreams.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.HandRolledWsServer;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxy's rx flow control pauses a client stream, whatever connection it has at the moment:
 * a pause asked for before the stream connected, or kept while it reconnects, holds for the
 * connection it gets next, raw or ws (whose session starts reading after the upgrade).
 */
class ClientStreamRxPauseTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void pauseBeforeTheConnectionHoldsForItAndResumeDelivers() throws Exception {
		try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			RecordingHandler client = new RecordingHandler();
			OnwardStream stream = rawStream(peer.getLocalPort(), client);
			stream.setRxPaused(true);
			stream.connect();
			try (Socket first = peer.accept()) {
				client.await(StreamState.CONNECTED, Duration.ofSeconds(10));
				send(first, "first");
				assertNothingArrives(client);
				stream.setRxPaused(false);
				Awaitility.await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(text(client)).isEqualTo("first"));
			}
		}
	}

	@Test
	void pauseHoldsAcrossAReconnect() throws Exception {
		try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			// Paused while the stream has no connection: between the drop and the reconnect.
			RecordingHandler client = new RecordingHandler().onState((stream, state) -> {
				if (state == StreamState.DISCONNECTED) {
					((OnwardStream) stream).setRxPaused(true);
				}
				return StreamResult.OK;
			});
			OnwardStream stream = rawStream(peer.getLocalPort(), client);
			stream.connect();
			peer.accept().close();
			try (Socket second = peer.accept()) {
				client.await(StreamState.CONNECTED, 2, Duration.ofSeconds(10));
				send(second, "second");
				assertNothingArrives(client);
				stream.setRxPaused(false);
				Awaitility.await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(text(client)).isEqualTo("second"));
			}
		}
	}

	@Test
	void wsPauseBeforeTheConnectionHoldsForItAndResumeDelivers() throws Exception {
		try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			RecordingHandler client = new RecordingHandler();
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.ws(fragment.streamType("ws"), peer.getLocalPort(), "/");
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
			OnwardStream stream = (OnwardStream) streams.create("ws", client);
			stream.setRxPaused(true);
			stream.connect();
			try (Socket first = peer.accept()) {
				answerUpgrade(first);
				client.await(StreamState.CONNECTED, Duration.ofSeconds(10));
				first.getOutputStream().write(textFrame("first"));
				first.getOutputStream().flush();
				assertNothingArrives(client);
				stream.setRxPaused(false);
				Awaitility.await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(text(client)).isEqualTo("first"));
			}
		}
	}

	// Reads the upgrade request and accepts it, without a subprotocol (the policy asks for none).
	private static void answerUpgrade(Socket socket) throws Exception {
		InputStream in = socket.getInputStream();
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
			int b = in.read();
			if (b < 0) {
				throw new IOException("closed during the upgrade request: " + head);
			}
			head.write(b);
		}
		String key = ScriptedPeer.header(head.toString(StandardCharsets.US_ASCII), "sec-websocket-key");
		send(socket, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				+ "Sec-WebSocket-Accept: " + HandRolledWsServer.accept(key) + "\r\n\r\n");
	}

	// One unmasked final TEXT frame, as a server sends it (payload under 126 bytes).
	private static byte[] textFrame(String text) {
		byte[] payload = text.getBytes(StandardCharsets.US_ASCII);
		byte[] frame = new byte[2 + payload.length];
		frame[0] = (byte) 0x81;
		frame[1] = (byte) payload.length;
		System.arraycopy(payload, 0, frame, 2, payload.length);
		return frame;
	}

	private OnwardStream rawStream(int port, RecordingHandler handler) {
		PolicyFragment fragment = TestPolicies.base();
		fragment.streamType("raw")
			.set(StreamTypeKey.PROTOCOL, Protocol.RAW)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, port)
			.set(StreamTypeKey.RETRY, "fast");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		return (OnwardStream) streams.create("raw", handler);
	}

	private static void send(Socket socket, String text) throws Exception {
		OutputStream out = socket.getOutputStream();
		out.write(text.getBytes(StandardCharsets.US_ASCII));
		out.flush();
	}

	// While paused the stream reads nothing, so no wait is long enough to prove it; a short one
	// catches a connection that reads (the bytes are on loopback within microseconds).
	private static void assertNothingArrives(RecordingHandler client) {
		Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofMillis(300).multipliedBy(3))
			.untilAsserted(() -> assertThat(client.received()).isEmpty());
	}

	private static String text(RecordingHandler client) {
		return new String(client.received(), StandardCharsets.US_ASCII);
	}

}
