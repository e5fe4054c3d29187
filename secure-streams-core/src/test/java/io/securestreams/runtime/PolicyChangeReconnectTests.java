package io.securestreams.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.securestreams.StreamState;
import io.securestreams.policy.Policy;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.HandRolledWsServer;
import io.securestreams.testsupport.JettyWsServer;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A connected stream that is not opportunistic, whose streamtype an overlay changes, connects
 * again at once under the new policy (docs/streams.md): the change is not a failure. Neither is
 * it for an attempt the change cuts short before it connected (a ws upgrade or a TLS handshake
 * still waiting for the server): the stream stays CONNECTING and connects again at once, with
 * no UNREACHABLE, even without a retry policy. Run directly and through our Java proxy, whose
 * context the overlays change: the proxied client sees the same states.
 */
@ParameterizedClass
@EnumSource(Mode.class)
class PolicyChangeReconnectTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@Parameter
	Mode mode;

	@RegisterExtension
	final TestResources resources = new TestResources();

	/** Starts the application's context, direct or proxied; overlays go to its policy context. */
	private StreamsUnderTest start(Policy policy) {
		return this.resources.start(this.mode, policy, (b) -> b.eventLoopThreads(1));
	}

	@Test
	void wsStreamWithoutRetriesConnectsAgainAfterAnOverlay() throws Exception {
		JettyWsServer ws = this.resources.closing(new JettyWsServer(null, false));
		StreamsUnderTest streams = start(
				TestPolicies.with("w", (b) -> TestPolicies.ws(b, ws.port(), "/echo").set(StreamTypeKey.RETRY, null)));
		RecordingHandler handler = new RecordingHandler();
		streams.streams().create("w", handler).connect();
		handler.await(StreamState.CONNECTED, WAIT);
		streams.policyContext().applyOverlay("url", "{\"s\": [{\"w\": {\"http_url\": \"/echo?v=2\"}}]}");
		handler.await(StreamState.CONNECTED, 2, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED", "POLL",
				"CONNECTING", "CONNECTED");
		assertThat(ws.upgradeHeaders).hasSize(2);
	}

	@Test
	void aWsUpgradeCutShortByAnOverlayConnectsAgainAtOnce() throws Exception {
		try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			server.setSoTimeout((int) WAIT.toMillis());
			StreamsUnderTest streams = start(TestPolicies.with("w",
					(b) -> TestPolicies.ws(b, server.getLocalPort(), "/echo").set(StreamTypeKey.RETRY, null)));
			RecordingHandler handler = new RecordingHandler();
			streams.streams().create("w", handler).connect();
			try (Socket first = server.accept()) {
				// The upgrade request is out and never answered: the attempt waits.
				assertThat(readHead(first)).startsWith("GET /echo ");
				streams.policyContext().applyOverlay("url", "{\"s\": [{\"w\": {\"http_url\": \"/echo?v=2\"}}]}");
				try (Socket second = server.accept()) {
					String head = readHead(second);
					assertThat(head).startsWith("GET /echo?v=2 ");
					second.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
							+ "Connection: Upgrade\r\nSec-WebSocket-Accept: "
							+ HandRolledWsServer.accept(ScriptedPeer.header(head, "sec-websocket-key")) + "\r\n\r\n")
						.getBytes(StandardCharsets.US_ASCII));
					second.getOutputStream().flush();
					handler.await(StreamState.CONNECTED, WAIT);
					assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
				}
			}
		}
	}

	@Test
	void aRawTlsHandshakeCutShortByAnOverlayConnectsAgainAtOnce() throws Exception {
		try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			server.setSoTimeout((int) WAIT.toMillis());
			StreamsUnderTest streams = start(TestPolicies.with("r", (b) -> b.set(StreamTypeKey.PROTOCOL, Protocol.RAW)
				.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
				.set(StreamTypeKey.PORT, server.getLocalPort())
				.set(StreamTypeKey.TLS, true)));
			RecordingHandler handler = new RecordingHandler();
			streams.streams().create("r", handler).connect();
			try (Socket first = server.accept()) {
				// The ClientHello arrived and is never answered: the attempt waits in the handshake.
				assertThat(first.getInputStream().read()).isNotNegative();
				streams.policyContext().applyOverlay("timeout", "{\"s\": [{\"r\": {\"timeout_ms\": 7000}}]}");
				try (Socket second = server.accept()) {
					assertThat(second.getInputStream().read()).isNotNegative();
					// CONNECTING reaches the handler on the stream's loop, which may be a moment
					// after the ClientHello reached the server.
					Awaitility.await().atMost(WAIT).untilAsserted(
							() -> assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING"));
				}
			}
		}
	}

	// Reads a request head up to its blank line.
	private static String readHead(Socket socket) throws IOException {
		InputStream in = socket.getInputStream();
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
			int b = in.read();
			if (b < 0) {
				throw new IOException("closed during the request head: " + head);
			}
			head.write(b);
		}
		return head.toString(StandardCharsets.US_ASCII);
	}

}
