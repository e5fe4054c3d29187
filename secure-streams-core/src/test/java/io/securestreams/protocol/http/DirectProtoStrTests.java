package io.securestreams.protocol.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@code direct_proto_str}: raw headers set as metadata by name with a colon go out with the
 * request or response, and every header the peer sent is readable the same way, for h1 and h2,
 * clients and servers; the peer's headers are never sent back. Without the key neither works.
 */
class DirectProtoStrTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private MockWebServer server(Protocol protocol) throws IOException {
		MockWebServer server = this.resources.closing(new MockWebServer());
		if (protocol == Protocol.H2) {
			server.setProtocols(List.of(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE));
		}
		server.start(InetAddress.getByName("127.0.0.1"), 0);
		return server;
	}

	private SecureStreams client(MockWebServer server, Protocol protocol, boolean direct) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("cli"), "127.0.0.1", server.getPort(), "GET", "/x")
			.set(StreamTypeKey.PROTOCOL, protocol)
			.set(StreamTypeKey.DIRECT_PROTO_STR, direct);
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
	}

	@ParameterizedTest
	@EnumSource(names = { "H1", "H2" })
	void aClientSendsRawHeadersAndReadsEveryResponseHeader(Protocol protocol) throws Exception {
		MockWebServer server = server(protocol);
		server.enqueue(new MockResponse.Builder().addHeader("X-Reply", "r1").body("ok").build());
		SecureStreams streams = client(server, protocol, true);
		Map<String, String> seenAtAck = new ConcurrentHashMap<>();
		RecordingHandler handler = new RecordingHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.QOS_ACK_REMOTE) {
					seenAtAck.put("x-reply", String.valueOf(stream.metadata("X-Reply:")));
					seenAtAck.put("content-length", String.valueOf(stream.metadata("content-length:")));
					seenAtAck.put("x-custom", String.valueOf(stream.metadata("x-custom:")));
					seenAtAck.put("absent", String.valueOf(stream.metadata("x-absent:")));
					// Added by Netty's h2-to-http conversion, not sent by the server.
					seenAtAck.put("conversion", String.valueOf(stream.metadata("x-http2-stream-id:")));
				}
				return super.onState(stream, state, ack);
			}
		};
		SecureStream stream = streams.create("cli", handler);
		stream.setMetadata("X-Custom:", "abc");
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		RecordedRequest request = server.takeRequest();
		assertThat(request.getVersion()).isEqualTo((protocol == Protocol.H2) ? "HTTP/2" : "HTTP/1.1");
		assertThat(request.getHeaders().get("x-custom")).isEqualTo("abc");
		assertThat(seenAtAck).containsEntry("x-reply", "r1")
			.containsEntry("content-length", "2")
			.containsEntry("absent", "null")
			.containsEntry("conversion", "null");
		// A raw header the response does not carry reads what the application set.
		assertThat(stream.metadata("X-Custom:")).isEqualTo("abc");
	}

	@ParameterizedTest
	@EnumSource(names = { "H1", "H2" })
	void aResponseWithoutContentLengthShowsTransferEncodingOnlyWhenThePeerSentIt(Protocol protocol) throws Exception {
		// Netty's h2-to-http conversion marks such a response chunked; an h2 server cannot send
		// Transfer-Encoding, so before, h2 streams read a header the server never sent.
		MockWebServer server = server(protocol);
		// h2 frames a body without a header (a Transfer-Encoding there is a protocol error); h1
		// chunks it.
		server.enqueue((protocol == Protocol.H2)
				? new MockResponse.Builder().body("hello").removeHeader("Content-Length").build()
				: new MockResponse.Builder().chunkedBody(new okio.Buffer().writeUtf8("hello"), 2).build());
		SecureStreams streams = client(server, protocol, true);
		Map<String, String> seenAtAck = new ConcurrentHashMap<>();
		RecordingHandler handler = new RecordingHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.QOS_ACK_REMOTE) {
					seenAtAck.put("te", String.valueOf(stream.metadata("transfer-encoding:")));
				}
				return super.onState(stream, state, ack);
			}
		};
		streams.create("cli", handler).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(handler.received(), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("hello");
		assertThat(seenAtAck).containsEntry("te", (protocol == Protocol.H2) ? "null" : "chunked");
	}

	@Test
	void withoutTheKeyRawHeadersAreNeitherSentNorReadable() throws Exception {
		MockWebServer server = server(Protocol.H1);
		server.enqueue(new MockResponse.Builder().addHeader("X-Reply", "r1").body("ok").build());
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = client(server, Protocol.H1, false).create("cli", handler);
		assertThatIllegalArgumentException().isThrownBy(() -> stream.setMetadata("x-custom:", "abc"))
			.withMessageContaining("does not declare metadata 'x-custom:'");
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("ok");
		assertThat(stream.metadata("x-reply:")).isNull();
	}

	@ParameterizedTest
	@EnumSource(names = { "H1", "H2" })
	void aServerReadsRequestHeadersAndAnswersWithRawHeadersWithoutEchoingTheRequest(Protocol protocol)
			throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), protocol, false).set(StreamTypeKey.DIRECT_PROTO_STR, true);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		SecureStream listener = streams.create("srv", new RoutingServerHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.SERVER_TXN) {
					stream.setMetadata("x-served-by:", "ss");
					stream.setMetadata("x-seen-agent:", String.valueOf(stream.metadata("User-Agent:")));
				}
				return super.onState(stream, state, ack);
			}
		});
		OkHttpClient client = new OkHttpClient.Builder()
			.protocols(List.of(
					(protocol == Protocol.H2) ? okhttp3.Protocol.H2_PRIOR_KNOWLEDGE : okhttp3.Protocol.HTTP_1_1))
			.build();
		String url = "http://127.0.0.1:" + ((InetSocketAddress) listener.localAddress()).getPort() + "/hello?name=raw";
		try (Response response = client.newCall(new Request.Builder().url(url).header("User-Agent", "agent-7")
			.header("X-Request-Only", "q").build()).execute()) {
			assertThat(response.body().string()).isEqualTo("hello raw");
			assertThat(response.header("x-served-by")).isEqualTo("ss");
			assertThat(response.header("x-seen-agent")).isEqualTo("agent-7");
			assertThat(response.header("user-agent")).isNull();
			assertThat(response.header("x-request-only")).isNull();
		}
	}

}
