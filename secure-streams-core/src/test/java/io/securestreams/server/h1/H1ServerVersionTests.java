package io.securestreams.server.h1;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.StreamState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.securestreams.server.h1.H1Wire.response;
import static io.securestreams.server.h1.H1Wire.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP version of a request: RFC 9110 section 6.2 forbids answering in a version the server
 * does not conform to, and section 2.5 has a later 1.x minor version served as the highest this
 * server speaks, 1.1. Any other major version (an h2 preface sent to an http/1.1 listener) is
 * answered 505 without reaching the handler.
 */
class H1ServerVersionTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final RoutingServerHandler handler = new RoutingServerHandler();

	private SecureStream listener;

	private Socket connect() throws IOException {
		if (this.listener == null) {
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false);
			SecureStreams streams = this.resources
				.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
			this.listener = streams.create("srv", this.handler);
		}
		return H1Wire.connect(this.listener);
	}

	@Test
	void aLaterMinorVersionIsServedAndAnsweredAsHttp11() throws Exception {
		try (Socket socket = connect()) {
			send(socket, "GET /hello?name=a HTTP/1.2\r\nHost: x\r\n\r\nGET /hello?name=b HTTP/1.9\r\nHost: x\r\n\r\n");
			InputStream in = socket.getInputStream();
			String[] first = response(in, false);
			assertThat(first[0]).startsWith("HTTP/1.1 200 ");
			assertThat(first[1]).isEqualTo("hello a");
			String[] second = response(in, false);
			assertThat(second[0]).startsWith("HTTP/1.1 200 ");
			assertThat(second[1]).isEqualTo("hello b");
		}
	}

	@Test
	void aLaterMinorVersionNeedsItsHostAsHttp11Does() throws Exception {
		try (Socket socket = connect()) {
			send(socket, "GET /hello?name=a HTTP/1.2\r\n\r\n");
			String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
			assertThat(answer).startsWith("HTTP/1.1 400 ");
		}
		assertThat(this.handler.acceptedStates(this.listener).values()).allSatisfy(
				(states) -> assertThat(states).doesNotContain(StreamState.SERVER_TXN));
	}

	@ParameterizedTest
	@ValueSource(strings = { "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "GET /hello?name=a HTTP/3.0\r\nHost: x\r\n\r\n",
			"GET /hello?name=a HTTP/0.9\r\nHost: x\r\n\r\n" })
	void anotherMajorVersionIsAnswered505WithoutReachingTheHandler(String request) throws Exception {
		try (Socket socket = connect()) {
			send(socket, request);
			String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
			assertThat(answer).startsWith("HTTP/1.1 505 ").doesNotContain("hello");
		}
		assertThat(this.handler.acceptedStates(this.listener).values()).allSatisfy(
				(states) -> assertThat(states).doesNotContain(StreamState.SERVER_TXN));
	}

}
