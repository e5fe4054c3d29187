package io.securestreams.server.h1;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLContext;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.testsupport.TransitionGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.securestreams.server.h1.H1Wire.response;
import static io.securestreams.server.h1.H1Wire.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code Expect: 100-continue} on the h1 server: the 100 comes before the body and never shifts
 * the framing of later responses on the connection (a pipelined HEAD once made the response
 * before it lose its body), no 100 is sent for a request that is refused or already answered,
 * and other expectations are answered 417.
 */
class H1ServerExpectContinueTests {

	private static final String CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n";

	private static final String ECHOED = "HTTP/1.1 201 Created\r\ncontent-type: application/octet-stream\r\n"
			+ "content-length: 3\r\n\r\nabc";

	private static final String HELLO_HEAD = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 7\r\n\r\n";

	private static final String HELLO_LAST = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 7\r\n"
			+ "connection: close\r\n\r\nhello c";

	private static final String HEAD_THEN_LAST_GET = "HEAD /hello?name=b HTTP/1.1\r\nHost: x\r\n\r\n"
			+ "GET /hello?name=c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final TransitionGuard guard = new TransitionGuard();

	private final RoutingServerHandler handler = new RoutingServerHandler();

	private final LogCapture logs = new LogCapture();

	@AfterEach
	void close() {
		this.logs.close();
		this.guard.assertNoViolations();
	}

	private SecureStream listen(boolean tls) {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, tls);
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).listener(this.guard));
		return streams.create("srv", this.handler);
	}

	private static String rest(Socket socket) throws Exception {
		return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
	}

	private static String exactly(InputStream in, int length) throws Exception {
		return new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
	}

	@Test
	void aHeadPipelinedAfterTheBodyLeavesTheResponsesInStep() throws Exception {
		try (Socket socket = H1Wire.connect(listen(false))) {
			send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
			assertThat(exactly(socket.getInputStream(), CONTINUE.length())).isEqualTo(CONTINUE);
			send(socket, "abc" + HEAD_THEN_LAST_GET);
			assertThat(rest(socket)).isEqualTo(ECHOED + HELLO_HEAD + HELLO_LAST);
		}
	}

	@Test
	void aHeadPipelinedWithTheWholeRequestLeavesTheResponsesInStep() throws Exception {
		try (Socket socket = H1Wire.connect(listen(false))) {
			send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"
					+ HEAD_THEN_LAST_GET);
			String answer = rest(socket);
			// The body came with the head, so a 100 is not needed (RFC 9110 section 10.1.1), but allowed.
			assertThat(answer.startsWith(CONTINUE) ? answer.substring(CONTINUE.length()) : answer)
				.isEqualTo(ECHOED + HELLO_HEAD + HELLO_LAST);
		}
	}

	@Test
	void noContinueBeforeTheAnswerToARequestThatIsRefused() throws Exception {
		try (Socket socket = H1Wire.connect(listen(false))) {
			send(socket, "POST /echo HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
			assertThat(rest(socket)).startsWith("HTTP/1.1 400 Bad Request\r\n");
		}
		assertThat(this.logs.contains("cutting off the connection: no Host header")).isTrue();
	}

	@Test
	void noContinueWhenTheHandlerAnswersBeforeTheBody() throws Exception {
		try (Socket socket = H1Wire.connect(listen(false))) {
			InputStream in = socket.getInputStream();
			// The handler answers anything but POST at SERVER_TXN.
			send(socket, "PUT /hello?name=a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
			String[] early = response(in, false);
			assertThat(early[0]).startsWith("HTTP/1.1 200 OK\r\n");
			assertThat(early[1]).isEqualTo("hello a");
			// A client may send the body anyway: the connection reads it and carries on.
			send(socket, "abcGET /hello?name=b HTTP/1.1\r\nHost: x\r\n\r\n");
			String[] next = response(in, false);
			assertThat(next[0]).startsWith("HTTP/1.1 200 OK\r\n");
			assertThat(next[1]).isEqualTo("hello b");
		}
	}

	@Test
	void anotherExpectationIsAnswered417() throws Exception {
		SecureStream listener = listen(false);
		try (Socket socket = H1Wire.connect(listener)) {
			send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nContent-Length: 3\r\n\r\nabc");
			assertThat(rest(socket)).startsWith("HTTP/1.1 417 Expectation Failed\r\n");
		}
		assertThat(this.logs.contains("cutting off the connection: unsupported expectation: Expect 'something-else'"))
			.isTrue();
		assertThat(this.handler.acceptedStates(listener).values())
			.allSatisfy((states) -> assertThat(states).doesNotContain(StreamState.SERVER_TXN));
	}

	@Test
	void theJdkClientSendsItsBodyAfterTheContinueOverTls() throws Exception {
		SecureStream listener = listen(true);
		SSLContext ssl = SSLContext.getInstance("TLS");
		ssl.init(null, TestPki.ca().toTrustManagerFactory().getTrustManagers(), null);
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl).build();
		String base = "https://127.0.0.1:" + ((InetSocketAddress) listener.localAddress()).getPort();
		for (int i = 0; i < 3; i++) {
			HttpResponse<String> echo = client.send(HttpRequest.newBuilder(URI.create(base + "/echo"))
				.expectContinue(true)
				.POST(HttpRequest.BodyPublishers.ofString("body " + i))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(echo.statusCode()).isEqualTo(201);
			assertThat(echo.body()).isEqualTo("body " + i);
			HttpResponse<Void> head = client.send(HttpRequest.newBuilder(URI.create(base + "/hello?name=h"))
				.method("HEAD", HttpRequest.BodyPublishers.noBody())
				.build(), HttpResponse.BodyHandlers.discarding());
			assertThat(head.statusCode()).isEqualTo(200);
			assertThat(head.headers().firstValue("content-length")).hasValue("7");
		}
		assertThat(listener.acceptedStreams()).hasSize(1);
	}

}
