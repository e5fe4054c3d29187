package io.securestreams.server.h1;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.testsupport.TransitionGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.securestreams.server.h1.H1Wire.response;
import static io.securestreams.server.h1.H1Wire.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Request smuggling over raw bytes: for every framing trick the h1 server either serves exactly
 * the requests the bytes mean under RFC 9112 (the handler sees the right bodies and one
 * SERVER_TXN per request, and the connection is still in step afterwards) or refuses with 400
 * and closes. A request whose body holds {@code name=smuggled} must never be served as its own
 * request when the bytes say it is body.
 */
class H1ServerSmugglingTests {

	private static final String SMUGGLED = "GET /hello?name=smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

	private static final String NEXT = "GET /hello?name=next HTTP/1.1\r\nHost: x\r\n\r\n";

	private static final String POST = "POST /echo HTTP/1.1\r\nHost: x\r\n";

	private static final String CHUNKED_ABC = "3\r\nabc\r\n0\r\n\r\n";

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final TransitionGuard guard = new TransitionGuard();

	private final RoutingServerHandler handler = new RoutingServerHandler();

	private final LogCapture logs = new LogCapture();

	private SecureStream listener;

	@BeforeEach
	void listen() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false);
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).listener(this.guard));
		this.listener = streams.create("srv", this.handler);
	}

	@AfterEach
	void close() {
		this.logs.close();
		this.guard.assertNoViolations();
	}

	static Stream<Arguments> refusedBeforeTheRequest() {
		return Stream.of(
				arguments("CL then TE",
						POST + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
				arguments("TE then CL",
						POST + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n" + SMUGGLED),
				arguments("two different CLs", POST + "Content-Length: 3\r\nContent-Length: 5\r\n\r\nabcde" + SMUGGLED),
				arguments("two equal CLs", POST + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc" + SMUGGLED),
				arguments("CL +3", POST + "Content-Length: +3\r\n\r\nabc" + SMUGGLED),
				arguments("CL -1", POST + "Content-Length: -1\r\n\r\nabc" + SMUGGLED),
				arguments("CL list", POST + "Content-Length: 3, 3\r\n\r\nabc" + SMUGGLED),
				arguments("CL beyond long", POST + "Content-Length: 99999999999999999999999\r\n\r\nabc" + SMUGGLED),
				arguments("TE chunked, identity",
						POST + "Transfer-Encoding: chunked, identity\r\n\r\n" + CHUNKED_ABC + SMUGGLED),
				arguments("TE xchunked", POST + "Transfer-Encoding: xchunked\r\n\r\n" + CHUNKED_ABC + SMUGGLED),
				arguments("TE xchunked with CL",
						POST + "Transfer-Encoding: xchunked\r\nContent-Length: 3\r\n\r\nabc" + SMUGGLED),
				arguments("TE gzip", POST + "Transfer-Encoding: gzip\r\n\r\nabc" + SMUGGLED),
				arguments("TE chunked then TE identity",
						POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n"
								+ CHUNKED_ABC + SMUGGLED),
				arguments("empty TE with CL", POST + "Transfer-Encoding: \r\nContent-Length: 3\r\n\r\nabc" + SMUGGLED),
				arguments("space before colon",
						POST + "Transfer-Encoding : chunked\r\nContent-Length: 3\r\n\r\nabc" + SMUGGLED),
				arguments("obs-fold TE", POST + "Transfer-Encoding:\r\n chunked\r\n\r\n" + CHUNKED_ABC + SMUGGLED),
				arguments("bare LF", "POST /echo HTTP/1.1\nHost: x\nContent-Length: 3\n\nabc" + SMUGGLED),
				arguments("NUL in a name", POST + "X-\0A: 1\r\nContent-Length: 3\r\n\r\nabc" + SMUGGLED),
				arguments("NUL in a value", POST + "X-A: 1\0 2\r\nContent-Length: 3\r\n\r\nabc" + SMUGGLED),
				arguments("CR in a name", POST + "X-\rA: 1\r\nContent-Length: 3\r\n\r\nabc" + SMUGGLED),
				arguments("bare CR in a value",
						POST + "X-A: 1\rTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc" + SMUGGLED),
				arguments("bare CR in the request line", "GET /hello?name=a\rb HTTP/1.1\r\nHost: x\r\n\r\n" + SMUGGLED),
				arguments("HTTP/1.0 with TE", "POST /echo HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n"
						+ "Transfer-Encoding: chunked\r\n\r\n" + CHUNKED_ABC + SMUGGLED),
				// RFC 9112 section 3.2: an HTTP/1.1 request has exactly one Host.
				arguments("no Host", "POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc" + SMUGGLED),
				arguments("two Hosts", "GET /hello?name=a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n" + SMUGGLED),
				// ... and a server must refuse more than one Host in any request.
				arguments("two Hosts in HTTP/1.0", "GET /hello?name=a HTTP/1.0\r\nHost: x\r\nHost: y\r\n"
						+ "Connection: keep-alive\r\n\r\n" + SMUGGLED),
				// ... and one whose value is no uri-host [ ":" port ] (a server and a proxy in
				// front of it could each read another host out of it).
				arguments("a Host with a space", "GET /hello?name=a HTTP/1.1\r\nHost: x y\r\n\r\n" + SMUGGLED),
				arguments("a Host with a path", "GET /hello?name=a HTTP/1.1\r\nHost: x/y\r\n\r\n" + SMUGGLED),
				arguments("a Host with userinfo", "GET /hello?name=a HTTP/1.1\r\nHost: u@x\r\n\r\n" + SMUGGLED),
				arguments("a Host with a letter in its port",
						"GET /hello?name=a HTTP/1.1\r\nHost: x:8o\r\n\r\n" + SMUGGLED),
				arguments("a Host with two ports", "GET /hello?name=a HTTP/1.1\r\nHost: x:1:2\r\n\r\n" + SMUGGLED),
				arguments("an unclosed IPv6 literal Host",
						"GET /hello?name=a HTTP/1.1\r\nHost: [::1\r\n\r\n" + SMUGGLED),
				arguments("a quoted Host", "GET /hello?name=a HTTP/1.1\r\nHost: \"x\"\r\n\r\n" + SMUGGLED),
				// RFC 9112 section 3.2.4: the asterisk form is only for a server-wide OPTIONS.
				arguments("GET *", "GET * HTTP/1.1\r\nHost: x\r\n\r\n" + SMUGGLED),
				// ... and any other target is a path starting with '/' or an absolute URI.
				arguments("a relative target", "GET hello?name=a HTTP/1.1\r\nHost: x\r\n\r\n" + SMUGGLED),
				arguments("a query alone", "GET ?name=a HTTP/1.1\r\nHost: x\r\n\r\n" + SMUGGLED));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource
	void refusedBeforeTheRequest(String name, String bytes) throws Exception {
		assertRefused(bytes, 0);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource
	void codingsBeforeChunkedAreNotImplemented(String field) throws Exception {
		String answer;
		try (Socket socket = H1Wire.connect(this.listener)) {
			send(socket, POST + "Transfer-Encoding: " + field + "\r\n\r\n" + CHUNKED_ABC + SMUGGLED);
			answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
		}
		// The body is framed, but this server does not undo gzip: the handler must not get the coded bytes as the body.
		assertThat(answer).startsWith("HTTP/1.1 501 ").doesNotContain("smuggled");
		assertThat(transactions()).isZero();
		assertThat(this.logs.contains("cutting off the connection: transfer coding not supported")).isTrue();
	}

	static Stream<String> codingsBeforeChunkedAreNotImplemented() {
		return Stream.of("gzip, chunked", "identity, chunked", "chunked, chunked");
	}

	static Stream<Arguments> refusedInTheBody() {
		String chunked = POST + "Transfer-Encoding: chunked\r\n\r\n";
		return Stream.of(
				arguments("chunk size beyond long",
						chunked + "FFFFFFFFFFFFFFFFFFFFFFFF3\r\nabc\r\n0\r\n\r\n" + SMUGGLED),
				arguments("chunk size beyond int", chunked + "100000003\r\nabc\r\n0\r\n\r\n" + SMUGGLED),
				arguments("negative chunk size", chunked + "-3\r\nabc\r\n0\r\n\r\n" + SMUGGLED),
				arguments("0x chunk size", chunked + "0x3\r\nabc\r\n0\r\n\r\n" + SMUGGLED),
				arguments("NUL in a chunk extension", chunked + "3;a\0b\r\nabc\r\n0\r\n\r\n" + SMUGGLED),
				arguments("chunk data without its CRLF", chunked + "3\r\nabcXX0\r\n\r\n" + SMUGGLED),
				arguments("last chunk without the blank line", chunked + "3\r\nabc\r\n0\r\n" + SMUGGLED));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource
	void refusedInTheBody(String name, String bytes) throws Exception {
		// The head was fine, so the handler has its transaction; it must not get a truncated body as complete.
		assertRefused(bytes, 1);
	}

	static Stream<Arguments> served() {
		return Stream.of(
				arguments("TE with a tab", POST + "Transfer-Encoding:\tchunked\r\n\r\n" + CHUNKED_ABC + SMUGGLED,
						List.of("abc", "hello smuggled")),
				arguments("TE CHUNKED", POST + "Transfer-Encoding: CHUNKED\r\n\r\n" + CHUNKED_ABC, List.of("abc")),
				arguments("chunk extensions",
						POST + "Transfer-Encoding: chunked\r\n\r\n3;foo=bar;baz\r\nabc\r\n0;x=y\r\n\r\n",
						List.of("abc")),
				arguments("trailer fields", POST + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
						List.of("abc")),
				arguments("obs-fold in another header",
						POST + "Content-Length: 3\r\nX-A: b\r\n Transfer-Encoding: chunked\r\n\r\nabc",
						List.of("abc")),
				arguments("extra spaces in the request line",
						"POST  /echo  HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", List.of("abc")),
				arguments("HTTP/1.0 keep-alive with a body",
						"POST /echo HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n"
								+ "Content-Length: 3\r\n\r\nabc",
						List.of("abc")),
				arguments("a body that is a request",
						POST + "Content-Length: " + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED, List.of(SMUGGLED)),
				arguments("a chunked body that is a request", POST + "Transfer-Encoding: chunked\r\n\r\n"
						+ Integer.toHexString(SMUGGLED.length()) + "\r\n" + SMUGGLED + "\r\n0\r\n\r\n",
						List.of(SMUGGLED)),
				arguments("pipelined after a body", POST + "Content-Length: 5\r\n\r\nabcde" + SMUGGLED + SMUGGLED,
						List.of("abcde", "hello smuggled", "hello smuggled")),
				arguments("a GET with a body", "GET /hello?name=a HTTP/1.1\r\nHost: x\r\nContent-Length: "
						+ SMUGGLED.length() + "\r\n\r\n" + SMUGGLED, List.of("hello a")),
				// RFC 9112 section 3.2.2: a server must accept the absolute form; the path is its path.
				arguments("an absolute-form target", "GET http://x/hello?name=abs HTTP/1.1\r\nHost: x\r\n\r\n",
						List.of("hello abs")),
				arguments("a Host of an IPv6 literal and a port",
						"GET /hello?name=v6 HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", List.of("hello v6")),
				// RFC 9112 section 3.2: empty when the target URI has no authority.
				arguments("an empty Host", "GET /hello?name=e HTTP/1.1\r\nHost:\r\n\r\n", List.of("hello e")),
				arguments("a Host of a name, a port and sub-delims",
						"GET /hello?name=n HTTP/1.1\r\nHost: a-b.c_d~e%41!$&'()*+,;=:80\r\n\r\n",
						List.of("hello n")),
				arguments("a Host of an IPv4 address and an empty port",
						"GET /hello?name=v4 HTTP/1.1\r\nHost: 127.0.0.1:\r\n\r\n", List.of("hello v4")),
				arguments("HTTP/1.0 without Host", "GET /hello?name=old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
						List.of("hello old")),
				arguments("an absolute-form POST", "POST HTTPS://x:8443/echo HTTP/1.1\r\nHost: x\r\n"
						+ "Content-Length: 3\r\n\r\nabc", List.of("abc")));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource
	void served(String name, String bytes, List<String> bodies) throws Exception {
		try (Socket socket = H1Wire.connect(this.listener)) {
			send(socket, bytes);
			InputStream in = socket.getInputStream();
			for (String body : bodies) {
				assertThat(response(in, false)[1]).isEqualTo(body);
			}
			// Still in step: the next request is answered as itself.
			send(socket, NEXT);
			assertThat(response(in, false)[1]).isEqualTo("hello next");
		}
		assertThat(transactions()).isEqualTo(bodies.size() + 1);
	}

	private void assertRefused(String bytes, int transactions) throws IOException {
		String answer;
		try (Socket socket = H1Wire.connect(this.listener)) {
			send(socket, bytes);
			// Read to the end: the server must close (a hang fails on the read timeout).
			answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
		}
		assertThat(answer).startsWith("HTTP/1.1 400 ").endsWith("\r\n\r\n").doesNotContain("smuggled");
		assertThat(answer.split("HTTP/1.1 ", -1)).hasSize(2);
		assertThat(transactions()).isEqualTo(transactions);
		assertThat(this.logs.contains("cutting off the connection")).isTrue();
	}

	private long transactions() {
		return this.handler.acceptedStates(this.listener)
			.values()
			.stream()
			.flatMap(List::stream)
			.filter((state) -> state == StreamState.SERVER_TXN)
			.count();
	}

}
