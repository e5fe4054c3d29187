package io.securestreams.transport;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An endpoint written {@code host:port} (or {@code [v6]:port}), as written in the policy or as
 * {@code ${metadata}} expands, connects to that port, and a {@code /path} after it replaces
 * {@code http_url}, as libwebsockets' {@code lws_parse_uri} reads any endpoint with a colon
 * (reference 6.2). It was taken for a host name, whose lookup failed ("invalid IPv6 address
 * literal"), so the stream was UNREACHABLE.
 */
class HostPortEndpointTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private RecordedRequest fetch(MockWebServer server, String endpoint, String metadataValue) throws Exception {
		server.enqueue(new MockResponse.Builder().body("ok").build());
		PolicyFragment fragment = TestPolicies.base();
		// The policy's port is one where nothing listens: only the endpoint's port reaches the server.
		TestPolicies.h1(fragment.streamType("t"), endpoint, this.resources.refusedPort(), "GET", "/from-policy")
			.set(StreamTypeKey.RETRY, null)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("where", "")));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.create("t", handler);
		stream.setMetadata("where", metadataValue);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE");
		return server.takeRequest();
	}

	@Test
	void aPolicyEndpointWithAPortConnectsThere() throws Exception {
		MockWebServer server = this.resources.mockWebServer();
		RecordedRequest request = fetch(server, "127.0.0.1:" + server.getPort(), "");
		assertThat(request.getTarget()).isEqualTo("/from-policy");
		assertThat(request.getHeaders().get("Host")).isEqualTo("127.0.0.1:" + server.getPort());
	}

	@Test
	void anEndpointFromMetadataGivesPortAndPath() throws Exception {
		MockWebServer server = this.resources.mockWebServer();
		RecordedRequest request = fetch(server, "${where}", "127.0.0.1:" + server.getPort() + "/from-metadata");
		assertThat(request.getTarget()).isEqualTo("/from-metadata");
	}

	@Test
	void aBadPortIsToldOfTheEndpointAsWritten() {
		LogCapture logs = this.resources.closing(new LogCapture());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1:http", this.resources.refusedPort(), "GET", "/")
			.set(StreamTypeKey.RETRY, null);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler();
		streams.create("t", handler).requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		// Not "http://127.0.0.1:http", the URL it is read as, which the policy does not hold.
		assertThat(logs.messages()).filteredOn((line) -> line.contains("failed"))
			.singleElement()
			.satisfies((line) -> assertThat(line)
				.contains("endpoint \"127.0.0.1:http\" has port 'http', not a number from 1 to 65535")
				.doesNotContain("http://"));
	}

	@Test
	void aBracketedIpv6EndpointWithAPortConnectsThere() throws Exception {
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.start(InetAddress.getByName("::1"), 0);
		RecordedRequest request = fetch(server, "[::1]:" + server.getPort(), "");
		assertThat(request.getHeaders().get("Host")).isEqualTo("[::1]:" + server.getPort());
	}

}
