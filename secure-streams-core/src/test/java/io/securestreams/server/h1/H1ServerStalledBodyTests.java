package io.securestreams.server.h1;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.testsupport.TransitionGuard;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.securestreams.server.h1.H1Wire.response;
import static io.securestreams.server.h1.H1Wire.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request body that stops arriving is cut off after the handshake timeout of silence (as a
 * slow head is), with a log line naming the client, while the listener's other connections are
 * served; a body that keeps arriving, however slowly, is not.
 */
class H1ServerStalledBodyTests {

	private static final Duration TIMEOUT = Duration.ofMillis(500);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final TransitionGuard guard = new TransitionGuard();

	private final RoutingServerHandler handler = new RoutingServerHandler();

	private final LogCapture logs = new LogCapture();

	private SecureStream listener;

	@BeforeEach
	void listen() {
		PolicyFragment fragment = TestPolicies.base();
		// With a subprotocol the listener also accepts ws upgrades, whose request may have a body too.
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false).set(StreamTypeKey.WS_SUBPROTOCOL, "echo");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.listener(this.guard)
			.limits(ProtocolLimits.DEFAULTS.withHandshakeTimeout(TIMEOUT)));
		this.listener = streams.create("srv", this.handler);
	}

	@AfterEach
	void close() {
		this.logs.close();
		this.guard.assertNoViolations();
	}

	private static String rest(Socket socket) throws Exception {
		return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
	}

	private void assertCutOff() {
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.listener.acceptedStreams().isEmpty());
		assertThat(this.logs.warnings()).anySatisfy((line) -> assertThat(line)
			.contains("from /127.0.0.1:",
					"cutting off the connection: request body stalled: no body bytes for 500 ms"));
	}

	private void assertServed(String name) throws Exception {
		try (Socket other = H1Wire.connect(this.listener)) {
			send(other, "GET /hello?name=" + name + " HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(response(other.getInputStream(), false)[1]).isEqualTo("hello " + name);
		}
	}

	@Test
	void aStalledBodyIsAnswered408AndCutOff() throws Exception {
		try (Socket socket = H1Wire.connect(this.listener)) {
			send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
			assertThat(rest(socket)).startsWith("HTTP/1.1 408 Request Timeout\r\n")
				.containsIgnoringCase("connection: close");
		}
		assertCutOff();
		assertThat(this.handler.acceptedStates(this.listener).values()).singleElement()
			.satisfies((states) -> assertThat(states).endsWith(StreamState.SERVER_TXN, StreamState.DISCONNECTED,
					StreamState.DESTROYING));
	}

	@Test
	void aStalledBodyAfterAnEarlyAnswerClosesTheConnection() throws Exception {
		try (Socket socket = H1Wire.connect(this.listener)) {
			// The handler answers anything but POST at SERVER_TXN, before the body.
			send(socket, "PUT /hello?name=early HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
			InputStream in = socket.getInputStream();
			assertThat(response(in, false)[1]).isEqualTo("hello early");
			assertThat(rest(socket)).isEmpty();
		}
		assertCutOff();
	}

	@Test
	void aStalledBodyOfAnUpgradeRequestIsAnswered408AndCutOff() throws Exception {
		try (Socket socket = H1Wire.connect(this.listener)) {
			send(socket, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
					+ "Content-Length: 10\r\n\r\nab");
			assertThat(rest(socket)).startsWith("HTTP/1.1 408 Request Timeout\r\n");
		}
		assertCutOff();
	}

	@Test
	void otherConnectionsAreServedWhileABodyStallsAndAfterItIsCutOff() throws Exception {
		try (Socket socket = H1Wire.connect(this.listener)) {
			send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.listener.acceptedStreams().size() == 1);
			assertServed("meanwhile");
			assertThat(rest(socket)).startsWith("HTTP/1.1 408 ");
		}
		assertCutOff();
		assertServed("after");
	}

	@Test
	void aBodyThatKeepsArrivingIsNotCutOff() throws Exception {
		try (Socket socket = H1Wire.connect(this.listener)) {
			send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n");
			OutputStream out = socket.getOutputStream();
			long start = System.nanoTime();
			// Twice the timeout in all, never more than half of it between two pieces.
			for (char c : "abcdef".toCharArray()) {
				Thread.sleep(TIMEOUT.toMillis() / 3);
				out.write(c);
				out.flush();
			}
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(TIMEOUT.multipliedBy(3).dividedBy(2));
			String[] echo = response(socket.getInputStream(), false);
			assertThat(echo[0]).startsWith("HTTP/1.1 201 ");
			assertThat(echo[1]).isEqualTo("abcdef");
			send(socket, "GET /hello?name=next HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(response(socket.getInputStream(), false)[1]).isEqualTo("hello next");
		}
		assertThat(this.logs.contains("stalled")).isFalse();
	}

}
