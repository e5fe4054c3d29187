package io.securestreams.server.ws;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upgrade requests a ws server must refuse (RFC 6455 section 4.2.1): the client gets an http
 * answer and the connection closes, with a log line naming what was wrong; the accepted stream
 * never reports SERVER_UPGRADE and ends DISCONNECTED then DESTROYING; the listener keeps
 * upgrading well-formed requests.
 */
class WsServerHandshakeTests {

	private static final String KEY = "Sec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==\r\n";

	private static final List<StreamState> REFUSED = List.of(StreamState.CREATING, StreamState.CONNECTING,
			StreamState.CONNECTED, StreamState.DISCONNECTED, StreamState.DESTROYING);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final LogCapture logs = new LogCapture();

	private final StateRecorder recorder = new StateRecorder();

	private SecureStream listener;

	@BeforeEach
	void start() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("wssrv"), Protocol.H1, false).set(StreamTypeKey.WS_SUBPROTOCOL, "echo");
		SecureStreams streams = this.resources.start(
				SecureStreams.builder(fragment.build()).eventLoopThreads(1).listener(this.resources.guard()));
		this.listener = streams.create("wssrv", this.recorder);
	}

	@AfterEach
	void closeLogs() {
		this.logs.close();
	}

	private int port() {
		return ((InetSocketAddress) this.listener.localAddress()).getPort();
	}

	private static String upgrade(String headers) {
		return "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				+ "Sec-WebSocket-Protocol: echo\r\n" + headers + "\r\n";
	}

	/** Sends the bytes, returns the answer's head and checks the connection then ends. */
	private String refused(String request) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", port())) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
			socket.getOutputStream().flush();
			InputStream in = socket.getInputStream();
			String head = ScriptedPeer.readHead(in);
			assertThat(in.readAllBytes()).isEmpty();
			return head;
		}
	}

	private void assertStreamGoneAndListenerServing(String reason) throws IOException {
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> this.logs.contains(reason));
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> this.listener.acceptedStreams().isEmpty());
		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.recorder.accepted(this.listener.id())).containsExactly(REFUSED));
		try (RawWsClient good = RawWsClient.upgrade(port(), "echo")) {
			Awaitility.await()
				.atMost(Duration.ofSeconds(10))
				.until(() -> this.recorder.accepted(this.listener.id()).size() == 2
						&& this.recorder.accepted(this.listener.id()).get(1).contains(StreamState.SERVER_UPGRADE));
		}
	}

	/**
	 * A draft-76 (hixie) request has no version: that is not RFC 6455, nor what libwebsockets
	 * speaks, but Netty's handshaker factory takes it for its draft-00 handshaker.
	 */
	@Test
	void aDraft76UpgradeWithoutAVersionIsAnswered426() throws IOException {
		String head = refused(upgrade("Origin: http://127.0.0.1\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
				+ "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n") + "^n:ds[4U");
		assertThat(head).startsWith("HTTP/1.1 426");
		assertThat(ScriptedPeer.header(head, "sec-websocket-version")).isEqualTo("13");
		assertStreamGoneAndListenerServing("unsupported ws version");
	}

	@Test
	void anUpgradeWithAnUnknownVersionIsAnswered426() throws IOException {
		String head = refused(upgrade(KEY + "Sec-WebSocket-Version: 99\r\n"));
		assertThat(head).startsWith("HTTP/1.1 426");
		assertThat(ScriptedPeer.header(head, "sec-websocket-version")).isEqualTo("13");
		assertStreamGoneAndListenerServing("unsupported ws version 99");
	}

	/** A request pipelined behind the refused upgrade must not reach the handler as SERVER_TXN. */
	@Test
	void anUpgradeWithoutAKeyIsAnswered400AndNothingBehindItIsServed() throws IOException {
		String head = refused(upgrade("Sec-WebSocket-Version: 13\r\n")
				+ "GET /after HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
		assertThat(head).startsWith("HTTP/1.1 400");
		assertStreamGoneAndListenerServing("invalid ws upgrade request");
	}


	/** RFC 6455 section 4.2.1: a key is 16 bytes in base64, and anything else is answered 400. */
	@ParameterizedTest
	@ValueSource(strings = { "x", "AAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAAAAA==", "not base64 at all!!!!==" })
	void anUpgradeWithAKeyThatIsNotSixteenBytesIsAnswered400(String key) throws IOException {
		String head = refused(upgrade("Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"));
		assertThat(head).startsWith("HTTP/1.1 400");
		assertStreamGoneAndListenerServing("is not 16 bytes in base64");
	}

	/** RFC 6455 section 4.1: the opening handshake is an HTTP/1.1 (or later) request. */
	@Test
	void anHttp10UpgradeIsAnswered400() throws IOException {
		String head = refused(upgrade(KEY + "Sec-WebSocket-Version: 13\r\n").replace("HTTP/1.1", "HTTP/1.0"));
		assertThat(head).startsWith("HTTP/1.1 400");
		assertStreamGoneAndListenerServing("an HTTP/1.0 request cannot upgrade to ws");
	}

}
