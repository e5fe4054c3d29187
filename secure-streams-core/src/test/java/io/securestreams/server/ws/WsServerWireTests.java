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

	private Socket connect() throws IOException {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("wssrv"), Protocol.H1, false)
			.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol");
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).listener(this.guard));
		this.listener = streams.create("wssrv", this.recorder);
		Socket socket = new Socket("127.0.0.1", ((InetSocketAddress) this.listener.localAddress()).getPort());
		socket.setSoTimeout(10_000);
		String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
		send(socket.getOutputStream(), ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				+ "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
				+ "Sec-WebSocket-Protocol: echo-protocol\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		assertThat(ScriptedPeer.readHead(socket.getInputStream())).startsWith("HTTP/1.1 101");
		return socket;
	}

	private static void send(OutputStream out, byte[] bytes) throws IOException {
		out.write(bytes);
		out.flush();
	}

	/** A masked client frame with a payload under 126 bytes. */
	private static byte[] frame(boolean fin, int opcode, byte[] payload) {
		byte[] mask = { 9, 8, 7, 6 };
		ByteArrayOutputStream frame = new ByteArrayOutputStream();
		frame.write((fin ? 0x80 : 0) | opcode);
		frame.write(0x80 | payload.length);
		frame.write(mask, 0, 4);
		for (int i = 0; i < payload.length; i++) {
			frame.write(payload[i] ^ mask[i % 4]);
		}
		return frame.toByteArray();
	}

	private static byte[] ascii(String s) {
		return s.getBytes(StandardCharsets.US_ASCII);
	}

	/** Reads one server frame: "FIN/opcode:payload". */
	private static String read(InputStream in) throws IOException {
		int first = in.read();
		int second = in.read();
		if (first < 0 || second < 0) {
			return "EOF";
		}
		int length = second & 0x7f;
		byte[] payload = in.readNBytes(length);
		int opcode = first & 0x0f;
		String body = (opcode == 8 && payload.length >= 2) ? String.valueOf(((payload[0] & 0xff) << 8) | (payload[1] & 0xff))
				: new String(payload, StandardCharsets.US_ASCII);
		return (((first & 0x80) != 0) ? "F" : "-") + opcode + ":" + body;
	}

	@Test
	void fragmentsAroundAPingAndAnEmptyMessageEchoWithTheirBoundaries() throws Exception {
		try (Socket socket = connect()) {
			OutputStream out = socket.getOutputStream();
			ByteArrayOutputStream all = new ByteArrayOutputStream();
			all.write(frame(false, 1, ascii("ab")));
			all.write(frame(true, 9, ascii("p")));
			all.write(frame(false, 0, ascii("cd")));
			all.write(frame(true, 0, ascii("ef")));
			all.write(frame(true, 1, new byte[0]));
			send(out, all.toByteArray());
			InputStream in = socket.getInputStream();
			List<String> frames = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				frames.add(read(in));
			}
			assertThat(frames).contains("F10:p");
			frames.remove("F10:p");
			assertThat(frames).containsExactly("-1:ab", "-0:cd", "F0:ef", "F1:");
			send(out, frame(true, 8, new byte[] { 0x03, (byte) 0xe9 }));
			assertThat(read(in)).isEqualTo("F8:1001");
			assertThat(read(in)).isEqualTo("EOF");
		}
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.listener.acceptedStreams().isEmpty());
		assertThat(this.recorder.accepted(this.listener.id())).singleElement()
			.satisfies((states) -> assertThat(states).containsExactly(StreamState.CREATING, StreamState.CONNECTING,
					StreamState.CONNECTED, StreamState.SERVER_UPGRADE, StreamState.DISCONNECTED,
					StreamState.DESTROYING));
	}

	@Test
	void destroyingTheAcceptedStreamClosesTheConnection() throws Exception {
		try (Socket socket = connect()) {
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.listener.acceptedStreams().size() == 1);
			SecureStream accepted = this.listener.acceptedStreams().get(0);
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> accepted.state() == StreamState.SERVER_UPGRADE);
			accepted.destroy();
			InputStream in = socket.getInputStream();
			String first = read(in);
			if (!first.equals("EOF")) {
				assertThat(first).startsWith("F8:");
				assertThat(read(in)).isEqualTo("EOF");
			}
		}
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.listener.acceptedStreams().isEmpty());
	}

}
