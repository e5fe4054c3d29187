package io.securestreams.server.ws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.testsupport.TransitionGuard;
import io.securestreams.testsupport.WsEchoHandler;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ws server's accepted stream frame by frame, from a hand-rolled client on a plain socket:
 * fragments with a PING between them, a zero-length message, the close handshake.
 */
class WsServerWireTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final TransitionGuard guard = new TransitionGuard();

	private SecureStream listener;

	private final StateRecorder recorder = new StateRecorder() {

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			super.onState(stream, state, ack);
			if (state == StreamState.SERVER_UPGRADE) {
				WsEchoHandler echo = new WsEchoHandler();
				StateRecorder outer = this;
				stream.changeHandler(new io.securestreams.StreamHandler() {
					@Override
					public StreamResult onState(SecureStream s, StreamState st, long a) {
						return outer.onState(s, st, a);
					}

					@Override
					public StreamResult onRx(SecureStream s, java.nio.ByteBuffer payload, int flags) {
						return echo.onRx(s, payload, flags);
					}

					@Override
					public StreamResult onTx(SecureStream s, io.securestreams.TxSlot slot) {
						return echo.onTx(s, slot);
					}
				});
			}
			return StreamResult.OK;
		}
	};

	@AfterEach
	void noIllegalTransitions() {
		this.guard.assertNoViolations();
	}

	private RawWsClient connect() throws IOException {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("wssrv"), Protocol.H1, false)
			.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol");
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).listener(this.guard));
		this.listener = streams.create("wssrv", this.recorder);
		return RawWsClient.upgrade(((InetSocketAddress) this.listener.localAddress()).getPort(), "echo-protocol");
	}

	private static byte[] ascii(String s) {
		return s.getBytes(StandardCharsets.US_ASCII);
	}

	@Test
	void fragmentsAroundAPingAndAnEmptyMessageEchoWithTheirBoundaries() throws Exception {
		try (RawWsClient client = connect()) {
			ByteArrayOutputStream all = new ByteArrayOutputStream();
			all.write(RawWsClient.frame(false, 1, ascii("ab")));
			all.write(RawWsClient.frame(true, 9, ascii("p")));
			all.write(RawWsClient.frame(false, 0, ascii("cd")));
			all.write(RawWsClient.frame(true, 0, ascii("ef")));
			all.write(RawWsClient.frame(true, 1, new byte[0]));
			client.send(all.toByteArray());
			List<String> frames = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				frames.add(client.read());
			}
			assertThat(frames).contains("F10:p");
			frames.remove("F10:p");
			assertThat(frames).containsExactly("-1:ab", "-0:cd", "F0:ef", "F1:");
			client.send(RawWsClient.frame(true, 8, new byte[] { 0x03, (byte) 0xe9 }));
			assertThat(client.read()).isEqualTo("F8:1001");
			assertThat(client.read()).isEqualTo("EOF");
		}
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.listener.acceptedStreams().isEmpty());
		assertThat(this.recorder.accepted(this.listener.id())).singleElement()
			.satisfies((states) -> assertThat(states).containsExactly(StreamState.CREATING, StreamState.CONNECTING,
					StreamState.CONNECTED, StreamState.SERVER_UPGRADE, StreamState.DISCONNECTED,
					StreamState.DESTROYING));
	}

	/**
	 * A client that sends frames in the same write as its upgrade request (RFC 6455 has it wait
	 * for the 101, but the bytes are there): they reach the handler switched to at SERVER_UPGRADE,
	 * in order. They were dropped: held by the http side until the upgrade, then handed to it.
	 */
	@Test
	void framesSentWithTheUpgradeRequestReachTheHandlerAfterTheUpgrade() throws Exception {
		connect().close();
		int port = ((InetSocketAddress) this.listener.localAddress()).getPort();
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(10_000);
			ByteArrayOutputStream all = new ByteArrayOutputStream();
			all.write(ascii("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==\r\nSec-WebSocket-Version: 13\r\n"
					+ "Sec-WebSocket-Protocol: echo-protocol\r\n\r\n"));
			all.write(RawWsClient.frame(true, 1, ascii("early")));
			all.write(RawWsClient.frame(false, 1, ascii("ab")));
			all.write(RawWsClient.frame(true, 0, ascii("cd")));
			socket.getOutputStream().write(all.toByteArray());
			assertThat(ScriptedPeer.readHead(socket.getInputStream())).startsWith("HTTP/1.1 101");
			RawWsClient client = RawWsClient.over(socket);
			assertThat(List.of(client.read(), client.read(), client.read())).containsExactly("F1:early", "-1:ab",
					"F0:cd");
		}
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.listener.acceptedStreams().isEmpty());
		assertThat(this.recorder.accepted(this.listener.id())).hasSize(2)
			.element(1)
			.isEqualTo(List.of(StreamState.CREATING, StreamState.CONNECTING, StreamState.CONNECTED,
					StreamState.SERVER_UPGRADE, StreamState.DISCONNECTED, StreamState.DESTROYING));
	}

	@Test
	void destroyingTheAcceptedStreamClosesTheConnection() throws Exception {
		try (RawWsClient client = connect()) {
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.listener.acceptedStreams().size() == 1);
			SecureStream accepted = this.listener.acceptedStreams().get(0);
			Awaitility.await().atMost(Duration.ofSeconds(5))
				.until(() -> accepted.state() == StreamState.SERVER_UPGRADE);
			accepted.destroy();
			String first = client.read();
			if (!first.equals("EOF")) {
				assertThat(first).startsWith("F8:");
				assertThat(client.read()).isEqualTo("EOF");
			}
		}
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.listener.acceptedStreams().isEmpty());
	}

}
