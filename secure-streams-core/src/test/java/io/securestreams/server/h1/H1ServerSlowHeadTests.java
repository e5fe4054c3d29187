package io.securestreams.server.h1;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.testsupport.TransitionGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.securestreams.server.h1.H1Wire.response;
import static io.securestreams.server.h1.H1Wire.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The head timer after a response tells a slow client (part of the next head has arrived: 408
 * and a WARN line) from an idle kept-alive connection (closed quietly), also when that part came
 * in the same read as the request before it and sits in the http decoder.
 */
class H1ServerSlowHeadTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final TransitionGuard guard = new TransitionGuard();

	private final LogCapture logs = new LogCapture();

	private SecureStream listener;

	@BeforeEach
	void listen() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.listener(this.guard)
			.limits(ProtocolLimits.DEFAULTS.withHandshakeTimeout(Duration.ofMillis(500))));
		this.listener = streams.create("srv", new RoutingServerHandler());
	}

	@AfterEach
	void close() {
		this.logs.close();
		this.guard.assertNoViolations();
	}

	private static String rest(Socket socket) throws Exception {
		return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
	}

	@Test
	void partOfAPipelinedHeadThatStallsIsAnswered408() throws Exception {
		try (Socket socket = H1Wire.connect(this.listener)) {
			send(socket, "GET /hello?name=a HTTP/1.1\r\nHost: x\r\n\r\nGET /hello?name=b HTTP/1.1\r\nHo");
			InputStream in = socket.getInputStream();
			assertThat(response(in, false)[1]).isEqualTo("hello a");
			assertThat(rest(socket)).startsWith("HTTP/1.1 408 Request Timeout\r\n");
		}
		assertThat(this.logs.warnings()).anySatisfy((line) -> assertThat(line)
			.contains("cutting off the connection: no complete request head within 500 ms (slow client)"));
	}

	@Test
	void aPipelinedRequestLineAloneThatStallsIsAnswered408() throws Exception {
		try (Socket socket = H1Wire.connect(this.listener)) {
			send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /hel");
			InputStream in = socket.getInputStream();
			assertThat(response(in, false)[1]).isEqualTo("abc");
			assertThat(rest(socket)).startsWith("HTTP/1.1 408 Request Timeout\r\n");
		}
		assertThat(this.logs.contains("no complete request head within 500 ms (slow client)")).isTrue();
	}

	@Test
	void anIdleKeptAliveConnectionIsClosedWithoutAnAnswer() throws Exception {
		try (Socket socket = H1Wire.connect(this.listener)) {
			// A line break after a body, as some clients send, is no part of a next request.
			send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\r\n");
			InputStream in = socket.getInputStream();
			assertThat(response(in, false)[1]).isEqualTo("abc");
			assertThat(rest(socket)).isEmpty();
		}
		assertThat(this.logs.warnings()).isEmpty();
	}

}
