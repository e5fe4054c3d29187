package io.securestreams.server.h1;

import java.io.IOException;
import java.net.Socket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.testsupport.TransitionGuard;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.securestreams.server.h1.H1Wire.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that ends its sending once its request is out ({@code shutdownOutput}, as
 * {@code nc -N} and socat do at the end of their input) still gets the answer, after which the
 * connection closes, as the libwebsockets h1 server goes on to write after a read of 0 bytes;
 * a half-close before the request is complete, or between requests, closes at once.
 */
class H1ServerHalfCloseTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final TransitionGuard guard = new TransitionGuard();

	private final RoutingServerHandler handler = new RoutingServerHandler();

	private SecureStream listener;

	private Socket connect() throws IOException {
		listen(false);
		return H1Wire.connect(this.listener);
	}

	private void listen(boolean tls) {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, tls);
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).listener(this.guard));
		this.listener = streams.create("srv", this.handler);
	}

	@AfterEach
	void noIllegalTransitions() {
		this.guard.assertNoViolations();
	}

	private String halfCloseAndReadAll(Socket socket, String request) throws IOException {
		send(socket, request);
		socket.shutdownOutput();
		return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
	}

	private void streamEnds() {
		Awaitility.await().until(() -> this.listener.acceptedStreams().isEmpty());
		assertThat(this.handler.acceptedStates(this.listener).values()).singleElement()
			.satisfies((states) -> assertThat(states).endsWith(StreamState.DISCONNECTED, StreamState.DESTROYING));
	}

	@Test
	void anHttp10RequestFollowedByAHalfCloseGetsItsWholeAnswer() throws Exception {
		try (Socket socket = connect()) {
			String answer = halfCloseAndReadAll(socket, "GET /chunked HTTP/1.0\r\n\r\n");
			assertThat(answer).startsWith("HTTP/1.0 200").endsWith("\r\n\r\n0123456789abcdefghij");
		}
		streamEnds();
	}

	@Test
	void aKeptAliveRequestWithABodyFollowedByAHalfCloseIsAnsweredThenTheConnectionCloses() throws Exception {
		try (Socket socket = connect()) {
			String answer = halfCloseAndReadAll(socket,
					"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
			assertThat(answer).startsWith("HTTP/1.1 201").endsWith("\r\n\r\nabc");
		}
		streamEnds();
	}

	@Test
	void pipelinedRequestsBeforeTheHalfCloseAreAnsweredUpToTheFirst() throws Exception {
		try (Socket socket = connect()) {
			String answer = halfCloseAndReadAll(socket,
					"GET /hello?name=a HTTP/1.1\r\nHost: x\r\n\r\nGET /hello?name=b HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(answer).startsWith("HTTP/1.1 200").contains("hello a");
		}
		streamEnds();
	}

	@Test
	void aHalfCloseInTheMiddleOfARequestClosesTheConnection() throws Exception {
		try (Socket socket = connect()) {
			String answer = halfCloseAndReadAll(socket,
					"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
			assertThat(answer).isEmpty();
		}
		streamEnds();
	}

	@Test
	void aHalfCloseOfAnIdleKeptAliveConnectionClosesIt() throws Exception {
		try (Socket socket = connect()) {
			send(socket, "GET /hello?name=a HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(H1Wire.response(socket.getInputStream(), false)[1]).isEqualTo("hello a");
			socket.shutdownOutput();
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
		streamEnds();
	}

	@Test
	void aTls13ClientThatHalfClosesAfterItsRequestGetsTheAnswer() throws Exception {
		listen(true);
		SSLContext ssl = SSLContext.getInstance("TLSv1.3");
		ssl.init(null, TestPki.ca().toTrustManagerFactory().getTrustManagers(), null);
		int port = ((InetSocketAddress) this.listener.localAddress()).getPort();
		try (SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", port)) {
			socket.setSoTimeout(10_000);
			// TLS 1.3 closes each direction on its own: close_notify, then the FIN.
			String answer = halfCloseAndReadAll(socket, "GET /hello?name=t HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(answer).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nhello t");
		}
		streamEnds();
	}

}
