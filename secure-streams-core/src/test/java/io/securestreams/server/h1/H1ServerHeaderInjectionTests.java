package io.securestreams.server.h1;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RoutingServerHandler;
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
 * Response header injection through metadata, and what the binding stores from the request line:
 * a handler's value with CR, LF or NUL for a header-mapped name never reaches the wire (the
 * handler's call fails; a handler that lets it escape gets its connection closed, logged, other
 * connections unaffected), and the request's path and query metadata hold the percent-decoded
 * text.
 */
class H1ServerHeaderInjectionTests {

	private static final String INJECTION = "text/plain\r\nX-Injected: yes";

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final TransitionGuard guard = new TransitionGuard();

	private final LogCapture logs = new LogCapture();

	private final Handler handler = new Handler();

	private SecureStream listener;

	/**
	 * Routes like {@link RoutingServerHandler}, plus: {@code /inject} sets a metadata value with
	 * CR LF and lets the exception escape; {@code /inject-caught} catches it and answers; every
	 * request's path, method and {@code name} are recorded.
	 */
	static final class Handler extends RoutingServerHandler {

		final Map<String, List<String>> seen = new ConcurrentHashMap<>();

		final List<String> auths = new CopyOnWriteArrayList<>();

		volatile String metadataName = "mime";

		volatile String injected = INJECTION;

		volatile Throwable caught;

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			if (state == StreamState.SERVER_TXN) {
				String path = stream.metadata("path");
				this.seen.put(String.valueOf(path), java.util.Arrays.asList(path, stream.metadata("method"),
						String.valueOf(stream.metadata("name"))));
				this.auths.add(auth(stream));
				if ("/inject".equals(path)) {
					stream.serverAck(0);
					stream.setMetadata(this.metadataName, this.injected);
					stream.requestTxLen(0);
					return StreamResult.OK;
				}
				if ("/inject-caught".equals(path)) {
					try {
						stream.setMetadata(this.metadataName, this.injected);
					}
					catch (IllegalArgumentException ex) {
						this.caught = ex;
					}
					stream.serverAck(0);
					stream.requestTxLen(0);
					return StreamResult.OK;
				}
			}
			return super.onState(stream, state, ack);
		}

		private static String auth(SecureStream stream) {
			try {
				return String.valueOf(stream.metadata("auth"));
			}
			catch (IllegalArgumentException undeclared) {
				return "undeclared";
			}
		}

	}

	private void listen(List<MetadataDeclaration> metadata, boolean directProtoStr) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false);
		if (metadata != null) {
			fragment.streamType("srv").set(StreamTypeKey.METADATA, metadata);
		}
		if (directProtoStr) {
			fragment.streamType("srv").set(StreamTypeKey.DIRECT_PROTO_STR, true);
		}
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).listener(this.guard));
		this.listener = streams.create("srv", this.handler);
	}

	@AfterEach
	void close() {
		this.logs.close();
		this.guard.assertNoViolations();
	}

	private String exchangeToClose(Socket socket, String request) throws Exception {
		send(socket, request);
		return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
	}

	private void othersStillServed() throws Exception {
		try (Socket socket = H1Wire.connect(this.listener)) {
			send(socket, "GET /hello?name=other HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(response(socket.getInputStream(), false)[1]).isEqualTo("hello other");
		}
	}

	@Test
	void aMappedValueWithCrLfThatEscapesTheHandlerClosesThatConnectionOnly() throws Exception {
		listen(null, false);
		try (Socket keptAlive = H1Wire.connect(this.listener); Socket socket = H1Wire.connect(this.listener)) {
			send(keptAlive, "GET /hello?name=a HTTP/1.1\r\nHost: x\r\n\r\n");
			InputStream keptIn = keptAlive.getInputStream();
			assertThat(response(keptIn, false)[1]).isEqualTo("hello a");
			String answer = exchangeToClose(socket, "GET /inject HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(answer).doesNotContainIgnoringCase("x-injected");
			send(keptAlive, "GET /hello?name=b HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(response(keptIn, false)[1]).isEqualTo("hello b");
		}
		assertThat(this.logs.contains("handler onState(SERVER_TXN) threw; disconnecting")).isTrue();
		othersStillServed();
	}

	@Test
	void aMappedValueWithCrLfOrNulIsRefusedToTheHandler() throws Exception {
		listen(null, false);
		for (String value : List.of(INJECTION, "text/plain\nX-Injected: yes", "text/plain\0X-Injected: yes")) {
			this.handler.injected = value;
			this.handler.caught = null;
			assertRefusedToTheHandler();
		}
	}

	@Test
	void aRawHeaderWithCrLfIsRefusedToTheHandler() throws Exception {
		listen(null, true);
		this.handler.metadataName = "x-served-by:";
		assertRefusedToTheHandler();
		this.handler.metadataName = "x-served\r\nx-injected:";
		this.handler.injected = "yes";
		this.handler.caught = null;
		assertRefusedToTheHandler();
	}

	// The handler's setMetadata threw and it answered anyway: no injected line in the head.
	private void assertRefusedToTheHandler() throws Exception {
		try (Socket socket = H1Wire.connect(this.listener)) {
			send(socket, "GET /inject-caught HTTP/1.1\r\nHost: x\r\n\r\n");
			String[] answer = response(socket.getInputStream(), false);
			assertThat(answer[0]).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("x-injected");
			assertThat(this.handler.caught).isInstanceOf(IllegalArgumentException.class);
		}
	}

	@Test
	void pathAndQueryArgumentsArePercentDecodedAndThePathsDotSegmentsResolved() throws Exception {
		listen(null, false);
		try (Socket socket = H1Wire.connect(this.listener)) {
			send(socket, "GET /a%20b/%2e%2e/c+d%2Fe?name=x%0d%0ay%00z+w HTTP/1.1\r\nHost: x\r\n\r\n");
			response(socket.getInputStream(), false);
		}
		// Decoded once, '+' is a space only in the query; name is not sent as a header, so kept.
		assertThat(this.handler.seen).containsEntry("/c+d/e", List.of("/c+d/e", "GET", "x\r\ny\0z w"));
	}

	@Test
	void aPathCannotClimbAboveTheRootNorHideParentStepsInEncodingOrExtraSlashes() throws Exception {
		listen(null, false);
		Map<String, String> expected = Map.of("/public/../../etc/passwd", "/etc/passwd",
				"/public/%2e%2e/secret", "/secret", "/public%2F..%2Fsecret", "/secret", "//public///./a/", "/public/a/",
				"/..", "/", "/public/..x/...", "/public/..x/...");
		try (Socket socket = H1Wire.connect(this.listener)) {
			for (String target : expected.keySet()) {
				send(socket, "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
				assertThat(response(socket.getInputStream(), false)[0]).startsWith("HTTP/1.1 404");
			}
		}
		assertThat(this.handler.seen.keySet()).containsExactlyInAnyOrderElementsOf(new HashSet<>(expected.values()));
	}

	@Test
	void queryArgumentsFillNeitherRequestNorHeaderMetadata() throws Exception {
		listen(List.of(new MetadataDeclaration("path", ""), new MetadataDeclaration("method", ""),
				new MetadataDeclaration("auth", ""), new MetadataDeclaration("mime", "content-type:"),
				new MetadataDeclaration("name", "")), false);
		try (Socket socket = H1Wire.connect(this.listener)) {
			send(socket, "GET /hello?path=/admin&method=DELETE&auth=Bearer%20stolen&mime=text/html&name=q"
					+ " HTTP/1.1\r\nHost: x\r\n\r\n");
			String[] answer = response(socket.getInputStream(), false);
			assertThat(answer[0]).containsIgnoringCase("content-type: text/plain").doesNotContain("text/html");
			assertThat(answer[1]).isEqualTo("hello q");
			// The next request on the connection sends a real Authorization header and no name.
			send(socket, "GET /hello HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer real\r\n\r\n");
			assertThat(response(socket.getInputStream(), false)[1]).isEqualTo("hello null");
		}
		assertThat(this.handler.seen).containsEntry("/hello", List.of("/hello", "GET", "null"));
		assertThat(this.handler.auths).containsExactly("null", "Bearer real");
	}

	@Test
	void aDecodedPathWithCrLfForAPathMappedToAHeaderIsNoResponseHeader() throws Exception {
		listen(List.of(new MetadataDeclaration("path", "x-path:"), new MetadataDeclaration("method", ""),
				new MetadataDeclaration("mime", "content-type:"), new MetadataDeclaration("name", "")), false);
		try (Socket socket = H1Wire.connect(this.listener)) {
			String answer = exchangeToClose(socket,
					"GET /a%0d%0aX-Injected:%20yes?path=/spoofed HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(answer).startsWith("HTTP/1.1 400 ").doesNotContainIgnoringCase("x-injected");
		}
		assertThat(this.handler.seen).isEmpty();
		assertThat(this.logs.contains("cutting off the connection")).isTrue();
		othersStillServed();
	}

}
