package io.securestreams.server.h1;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.testsupport.TransitionGuard;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.securestreams.server.h1.H1Wire.response;
import static io.securestreams.server.h1.H1Wire.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The h1 server on the wire, driven by a plain socket: pipelined requests, HEAD, request bodies
 * and query arguments.
 */
class H1ServerWireTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final TransitionGuard guard = new TransitionGuard();

	private final RoutingServerHandler handler = new RoutingServerHandler();

	private SecureStream listener;

	private SecureStream listen() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false);
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).listener(this.guard));
		this.listener = streams.create("srv", this.handler);
		return this.listener;
	}

	@AfterEach
	void noIllegalTransitions() {
		this.guard.assertNoViolations();
	}

	private Socket connect() throws IOException {
		return H1Wire.connect(listen());
	}

	@Test
	void pipelinedRequestsAreAnsweredInOrder() throws Exception {
		try (Socket socket = connect()) {
			send(socket, "GET /hello?name=a HTTP/1.1\r\nHost: x\r\n\r\nGET /hello?name=b HTTP/1.1\r\nHost: x\r\n\r\n"
					+ "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
					+ "GET /hello?name=c HTTP/1.1\r\nHost: x\r\n\r\n");
			InputStream in = socket.getInputStream();
			assertThat(response(in, false)[1]).isEqualTo("hello a");
			assertThat(response(in, false)[1]).isEqualTo("hello b");
			String[] echo = response(in, false);
			assertThat(echo[0]).startsWith("HTTP/1.1 201");
			assertThat(echo[1]).isEqualTo("abc");
			assertThat(response(in, false)[1]).isEqualTo("hello c");
		}
	}

	@Test
	void headGetsTheHeadWithoutBodyAndTheConnectionCarriesOn() throws Exception {
		try (Socket socket = connect()) {
			send(socket, "HEAD /hello?name=a HTTP/1.1\r\nHost: x\r\n\r\n");
			InputStream in = socket.getInputStream();
			String[] head = response(in, true);
			assertThat(head[0]).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: 7");
			send(socket, "GET /hello?name=b HTTP/1.1\r\nHost: x\r\n\r\n");
			String[] next = response(in, false);
			assertThat(next[0]).startsWith("HTTP/1.1 200");
			assertThat(next[1]).isEqualTo("hello b");
		}
	}

	@Test
	void chunkedRequestBodyAndExpectContinue() throws Exception {
		try (Socket socket = connect()) {
			InputStream in = socket.getInputStream();
			send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
					+ "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
			assertThat(response(in, false)[1]).isEqualTo("abcde");
			send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
			String[] cont = response(in, true);
			assertThat(cont[0]).startsWith("HTTP/1.1 100");
			send(socket, "wxyz");
			assertThat(response(in, false)[1]).isEqualTo("wxyz");
		}
	}

	/**
	 * docs/servers.md: {@code maxHttpHeaderSize} (16 KiB by default) bounds the request line too,
	 * answered 414 beyond it; a line within it is served, as h2 serves such a {@code :path}.
	 */
	@Test
	void aRequestLineWithinTheHeadLimitIsServedAndALongerOneGets414() throws Exception {
		String name = "a".repeat(12_000);
		try (Socket socket = connect()) {
			send(socket, "GET /hello?name=" + name + " HTTP/1.1\r\nHost: x\r\n\r\n");
			String[] answer = response(socket.getInputStream(), false);
			assertThat(answer[0]).startsWith("HTTP/1.1 200");
			assertThat(answer[1]).isEqualTo("hello " + name);
		}
		try (Socket socket = H1Wire.connect(this.listener)) {
			send(socket, "GET /hello?name=" + "a".repeat(16_400) + " HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(response(socket.getInputStream(), true)[0]).startsWith("HTTP/1.1 414");
		}
	}

	@Test
	void queryArgumentsArePercentDecoded() throws Exception {
		try (Socket socket = connect()) {
			send(socket, "GET /hello?x=1&name=a%20b%26c HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(response(socket.getInputStream(), false)[1]).isEqualTo("hello a b&c");
		}
	}

	@Test
	void aSemicolonInAQueryArgumentIsPartOfItsValue() throws Exception {
		// Query arguments are separated by '&' alone (WHATWG URL, and libwebsockets' URI_ARGS
		// fragments): ';' is an ordinary character of a value, and cannot start an argument.
		try (Socket socket = connect()) {
			send(socket, "GET /hello?name=a;b HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(response(socket.getInputStream(), false)[1]).isEqualTo("hello a;b");
			send(socket, "GET /hello?x=1;name=evil&name=c HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(response(socket.getInputStream(), false)[1]).isEqualTo("hello c");
		}
	}

	@Test
	void anArgumentWithAnEmptyNameSetsNoMetadataNamedByItsValue() throws Exception {
		// "=name" is an argument without a name whose value is "name", not an argument "name".
		try (Socket socket = connect()) {
			send(socket, "GET /hello?=name HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(response(socket.getInputStream(), false)[1]).isEqualTo("hello null");
		}
	}

	@Test
	void aDeclaredQueryArgumentAfterManyOthersIsStillStored() throws Exception {
		// Netty's decoder keeps only the first 1024 arguments; the request line's limit bounds them.
		StringBuilder target = new StringBuilder("/hello?");
		for (int i = 0; i < 1100; i++) {
			target.append('j').append(i).append("=1&");
		}
		target.append("name=late");
		try (Socket socket = connect()) {
			send(socket, "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(response(socket.getInputStream(), false)[1]).isEqualTo("hello late");
		}
	}

	@Test
	void aClientThatGoesMidRequestEndsTheStream() throws Exception {
		try (Socket socket = connect()) {
			send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.listener.acceptedStreams().size() == 1);
		}
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.listener.acceptedStreams().isEmpty());
		assertThat(this.handler.acceptedStates(this.listener).values()).singleElement()
			.satisfies((states) -> assertThat(states).endsWith(StreamState.SERVER_TXN, StreamState.DISCONNECTED,
					StreamState.DESTROYING));
	}

	@Test
	void aQueryArgumentWithControlCharactersForAMappedNameIsNoResponseHeader() throws Exception {
		try (Socket socket = connect()) {
			send(socket, "GET /silent?mime=a%0d%0aX-Injected:%20yes HTTP/1.1\r\nHost: x\r\n\r\n");
			String[] answer = response(socket.getInputStream(), false);
			assertThat(answer[0]).startsWith("HTTP/1.1 404").doesNotContainIgnoringCase("x-injected");
			send(socket, "GET /hello?name=b HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(response(socket.getInputStream(), false)[1]).isEqualTo("hello b");
		}
	}

	@Test
	void headOfABodyWhoseLengthIsUnknownDoesNotClaimAnEmptyBody() throws Exception {
		try (Socket socket = connect()) {
			send(socket, "HEAD /oneshot HTTP/1.1\r\nHost: x\r\n\r\n");
			InputStream in = socket.getInputStream();
			String[] head = response(in, true);
			assertThat(head[0]).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("content-length: 0");
			send(socket, "GET /hello?name=b HTTP/1.1\r\nHost: x\r\n\r\n");
			String[] next = response(in, false);
			assertThat(next[0]).startsWith("HTTP/1.1 200");
			assertThat(next[1]).isEqualTo("hello b");
		}
	}

}
