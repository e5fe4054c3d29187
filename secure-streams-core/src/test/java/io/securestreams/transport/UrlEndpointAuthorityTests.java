package io.securestreams.transport;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The host of an endpoint written as a URL is taken as libwebsockets takes it, up to the port or
 * the path, also when {@link java.net.URI} would not call it an internet host name (an underscore,
 * as in a container's service name); a port the URL cannot have is refused naming the endpoint.
 */
class UrlEndpointAuthorityTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final List<String> lookedUp = new CopyOnWriteArrayList<>();

	@Test
	void aHostWithAnUnderscoreIsLookedUpAndReached() throws Exception {
		MockWebServer server = this.resources.mockWebServer();
		server.enqueue(new MockResponse.Builder().body("reached").build());
		RecordingHandler handler = get("http://web_server:" + server.getPort() + "/x");
		handler.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(10));
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("reached");
		assertThat(this.lookedUp).containsExactly("web_server");
		assertThat(server.takeRequest().getTarget()).isEqualTo("/x");
	}

	@Test
	void aPortBeyond65535IsRefusedNamingTheEndpoint() {
		LogCapture logs = this.resources.closing(new LogCapture());
		RecordingHandler handler = get("http://localhost:70000/x");
		handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(10));
		Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(logs.messages())
				.anyMatch((line) -> line.contains("http://localhost:70000/x") && line.contains("70000")));
		assertThat(this.lookedUp).isEmpty();
	}

	private RecordingHandler get(String endpoint) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), endpoint, 0, "GET", "/").set(StreamTypeKey.RETRY, null);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.hostNameLookup((host) -> {
				this.lookedUp.add(host);
				return new InetAddress[] { InetAddress.getByAddress(host, new byte[] { 127, 0, 0, 1 }) };
			}));
		RecordingHandler handler = new RecordingHandler();
		streams.create("t", handler).requestTx();
		return handler;
	}

}
