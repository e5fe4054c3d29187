package io.securestreams.internal;

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
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxy's rx flow control pauses a client stream, whatever connection it has at the moment:
 * a pause asked for before the stream connected, or kept while it reconnects, holds for the
 * connection it gets next.
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
	private static void assertNothingArrives(RecordingHandler client) throws InterruptedException {
		Thread.sleep(300);
		assertThat(client.received()).isEmpty();
	}

	private static String text(RecordingHandler client) {
		return new String(client.received(), StandardCharsets.US_ASCII);
	}

}
