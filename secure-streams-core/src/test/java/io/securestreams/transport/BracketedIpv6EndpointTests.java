package io.securestreams.transport;

import java.net.InetAddress;
import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An IPv6 literal endpoint written with or without its URL brackets reaches the server with the
 * same {@code Host} header, {@code [::1]:port}.
 */
class BracketedIpv6EndpointTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@ParameterizedTest
	@ValueSource(strings = { "::1", "[::1]" })
	void theHostHeaderHasOnePairOfBrackets(String endpoint) throws Exception {
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.start(InetAddress.getByName("::1"), 0);
		server.enqueue(new MockResponse.Builder().body("ok").build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), endpoint, server.getPort(), "GET", "/x")
			.set(StreamTypeKey.RETRY, null);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		RecordingHandler handler = new RecordingHandler();
		streams.create("t", handler).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(10));
		assertThat(server.takeRequest().getHeaders().get("Host")).isEqualTo("[::1]:" + server.getPort());
	}

}
