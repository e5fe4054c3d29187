package io.securestreams.protocol.h2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.SspcRelay;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * h2 streams of a proxied client, fulfilled by our Java proxy: the onward transactions are h2
 * streams on one shared connection, and the client sees the states the proxied client's table
 * allows (ONWARD_CONNECT without POLL, DISCONNECTED after each result), with every frame checked
 * by the relay.
 */
class H2ProxiedTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = H2TestServers.h2(this.resources);

	private StreamsUnderTest start(String streamType, String method) {
		PolicyFragment fragment = TestPolicies.base();
		H2TestServers.policy(fragment.streamType(streamType), this.server, method, "/" + streamType);
		return this.resources.start(Mode.PROXIED, fragment.build());
	}

	@Test
	void getsOfTwoProxiedStreamsShareTheOnwardConnection() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("one").build());
		this.server.enqueue(new MockResponse.Builder().body("two").build());
		StreamsUnderTest streams = start("get", "GET");
		RecordingHandler first = new RecordingHandler();
		RecordingHandler second = new RecordingHandler();
		streams.streams().create("get", first).requestTx();
		first.await(StreamState.DISCONNECTED, WAIT);
		SecureStream again = streams.streams().create("get", second);
		again.requestTx();
		second.await(StreamState.DISCONNECTED, WAIT);
		for (RecordingHandler handler : List.of(first, second)) {
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE",
					"DISCONNECTED");
		}
		assertThat(new String(first.received(), StandardCharsets.UTF_8)).isEqualTo("one");
		assertThat(new String(second.received(), StandardCharsets.UTF_8)).isEqualTo("two");
		RecordedRequest one = this.server.takeRequest();
		RecordedRequest two = this.server.takeRequest();
		assertThat(one.getVersion()).isEqualTo("HTTP/2");
		assertThat(List.of(one.getConnectionIndex(), two.getConnectionIndex())).containsExactly(0, 0);
	}

	@Test
	void proxiedPostBodyReachesTheServer() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(201).body("created").build());
		StreamsUnderTest streams = start("post", "POST");
		byte[] body = new byte[200_000];
		for (int i = 0; i < body.length; i++) {
			body[i] = (byte) (i % 251);
		}
		RecordingHandler handler = new RecordingHandler().send(body, 1000);
		streams.streams().create("post", handler).requestTxLen(body.length);
		handler.await(StreamState.DISCONNECTED, WAIT);
		// requestTxLen reaches the proxy as PAYLOAD_LENGTH_HINT, which polls the onward stream.
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE", "DISCONNECTED");
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("created");
		RecordedRequest request = this.server.takeRequest();
		assertThat(request.getHeaders().get("content-length")).isEqualTo(String.valueOf(body.length));
		assertThat(request.getBody().toByteArray()).isEqualTo(body);
	}

	@Test
	void proxyReportsTheOnwardStreamsSendWindowBeforeConnected() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("one").build());
		this.server.enqueue(new MockResponse.Builder().code(201).body("two").build());
		StreamsUnderTest streams = start("get", "GET");
		RecordingHandler get = new RecordingHandler();
		streams.streams().create("get", get).requestTx();
		get.await(StreamState.DISCONNECTED, WAIT);
		// The C proxy sends an h2 stream's credit (TXCR_UPDATE) when the stream is established,
		// queued before the CONNECTED it reports for the same response head.
		SspcRelay.Link link = streams.relay().links().get(0);
		assertThat(creditsAndStates(link)).containsExactly("CREATING", "CONNECTING", "credit 65535", "CONNECTED",
				"QOS_ACK_REMOTE", "DISCONNECTED");
		// A request body the server took is no longer in the stream's window when the head arrives.
		PolicyFragment fragment = TestPolicies.base();
		H2TestServers.policy(fragment.streamType("post"), this.server, "POST", "/post");
		StreamsUnderTest posting = this.resources.start(Mode.PROXIED, fragment.build());
		RecordingHandler post = new RecordingHandler().send(new byte[1000], 1000);
		posting.streams().create("post", post).requestTxLen(1000);
		post.await(StreamState.DISCONNECTED, WAIT);
		assertThat(creditsAndStates(posting.relay().links().get(0))).contains("credit 64535")
			.doesNotContain("credit 65535");
		assertThat(new String(post.received(), StandardCharsets.UTF_8)).isEqualTo("two");
	}

	private static List<String> creditsAndStates(SspcRelay.Link link) {
		return link.toClient.stream()
			.filter((frame) -> frame.type() == 0x57 || frame.type() == 0x58)
			.map((frame) -> (frame.type() == 0x57) ? StreamState.of(frame.state()).name()
					: "credit " + ByteBuffer.wrap(frame.body()).getInt())
			.toList();
	}

}
