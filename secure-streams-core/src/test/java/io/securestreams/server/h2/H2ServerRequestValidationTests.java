package io.securestreams.server.h2;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RawH2Client;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed request heads on the h2 server, sent frame by frame: a request without one of the
 * pseudo-headers every request but a CONNECT carries (RFC 9113 section 8.3.1) is answered 400
 * naming what is missing; one with a field section 8.2 forbids is reset by the codec. Neither
 * reaches the handler, and the connection serves the next request.
 */
class H2ServerRequestValidationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final LogCapture logs = this.resources.closing(new LogCapture());

	private final EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	private final RoutingServerHandler handler = new RoutingServerHandler();

	private SecureStream listener;

	@AfterEach
	void stopClient() {
		this.clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
	}

	@ParameterizedTest(name = "without {0}")
	@CsvSource({ ":method, GET", ":scheme, GET", ":path, GET", ":scheme, POST" })
	void aRequestWithoutAPseudoHeaderIsAnswered400AndNeverReachesTheHandler(String missing, String method)
			throws Exception {
		RawH2Client client = connect();
		Http2Headers head = RawH2Client.request(method, "/hello");
		head.remove(missing);
		int id = client.nextStreamId();
		// A POST's HEADERS do not end the request: its body would follow.
		boolean complete = "GET".equals(method);
		client.send((w, c) -> w.writeHeaders(c, id, head, 0, complete, c.newPromise()));
		Awaitility.await().atMost(WAIT).until(() -> client.events.contains("HEADERS " + id + " 400 end=true"));
		if (!complete) {
			Awaitility.await().atMost(WAIT)
				.until(() -> client.events.contains("RST " + id + " " + Http2Error.NO_ERROR.code()));
		}
		assertThat(this.logs.messages()).anySatisfy((line) -> assertThat(line)
			.contains("refusing the request: request HEADERS without " + missing));
		assertTheHandlerSawNoRequestAndTheConnectionServesTheNext(client);
	}

	@Test
	void theMissingPseudoHeadersAreAllNamed() throws Exception {
		RawH2Client client = connect();
		Http2Headers head = new DefaultHttp2Headers().authority("127.0.0.1");
		int id = client.nextStreamId();
		client.send((w, c) -> w.writeHeaders(c, id, head, 0, true, c.newPromise()));
		Awaitility.await().atMost(WAIT).until(() -> client.events.contains("HEADERS " + id + " 400 end=true"));
		assertThat(this.logs.messages()).anySatisfy((line) -> assertThat(line)
			.contains("refusing the request: request HEADERS without :method, :scheme, :path"));
		assertTheHandlerSawNoRequestAndTheConnectionServesTheNext(client);
	}

	/**
	 * Fields RFC 9113 section 8.2 forbids in a request make it malformed: the stream is reset with
	 * PROTOCOL_ERROR before it reaches the handler, a warning says what was wrong, and the
	 * connection carries on.
	 */
	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', value = {
			"connection: keep-alive|connection-specific header 'connection'",
			"transfer-encoding: chunked|connection-specific header 'transfer-encoding'", "te: gzip|'TE' header",
			"X-Upper: a|X-Upper", ":status: 200|pseudo-header", ":unknown: a|:unknown", ":path: /again|:path" })
	void aForbiddenRequestFieldResetsTheStreamBeforeTheHandlerAndSaysWhy(String field, String reason)
			throws Exception {
		RawH2Client client = connect();
		int colon = field.indexOf(':', 1);
		Http2Headers head = new DefaultHttp2Headers(false).method("GET").scheme("http").path("/hello")
			.authority("127.0.0.1")
			.add(field.substring(0, colon), field.substring(colon + 1).trim());
		int id = client.nextStreamId();
		client.send((w, c) -> w.writeHeaders(c, id, head, 0, true, c.newPromise()));
		Awaitility.await().atMost(WAIT)
			.until(() -> client.events.contains("RST " + id + " " + Http2Error.PROTOCOL_ERROR.code()));
		assertThat(this.logs.warnings()).anySatisfy((line) -> assertThat(line)
			.contains("resetting stream " + id + " before its request").contains(reason).contains("PROTOCOL_ERROR"));
		assertTheHandlerSawNoRequestAndTheConnectionServesTheNext(client);
	}

	private RawH2Client connect() throws InterruptedException {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("srv"), Protocol.H2, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.limits(ProtocolLimits.DEFAULTS.withHandshakeTimeout(WAIT)));
		this.listener = streams.create("srv", this.handler);
		RawH2Client client = RawH2Client.connect(this.clientLoop, this.listener.localAddress(), new Http2Settings(),
				true);
		Awaitility.await().atMost(WAIT).until(() -> client.events.contains("SETTINGS"));
		return client;
	}

	private void assertTheHandlerSawNoRequestAndTheConnectionServesTheNext(RawH2Client client) throws Exception {
		int next = client.get("/hello?name=b");
		Awaitility.await().atMost(WAIT).until(() -> client.events.contains("HEADERS " + next + " 200 end=false"));
		Awaitility.await().atMost(WAIT).until(() -> this.listener.acceptedStreams().isEmpty());
		assertThat(this.handler.acceptedStates(this.listener).values())
			.filteredOn((states) -> states.contains(StreamState.SERVER_TXN))
			.hasSize(1);
		assertThat(client.events).noneMatch((e) -> e.startsWith("GOAWAY")).doesNotContain("CLOSED");
	}

}
