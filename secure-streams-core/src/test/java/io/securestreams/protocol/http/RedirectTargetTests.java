package io.securestreams.protocol.http;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
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
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a followed redirect leads when the server is an IPv6 literal: the next request goes to
 * the same peer with the same {@code Host} an endpoint of that literal gets ({@code [::1]:port}).
 */
class RedirectTargetTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void redirectsOnAnIpv6EndpointKeepABracketedHostHeader() throws Exception {
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.start(InetAddress.getByName("::1"), 0);
		int port = server.getPort();
		server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "/moved").build());
		server.enqueue(new MockResponse.Builder().code(307).setHeader("Location", "http://[::1]:" + port + "/final")
			.build());
		server.enqueue(new MockResponse.Builder().body("arrived").build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "::1", port, "GET", "/x").set(StreamTypeKey.ALLOW_REDIRECTS, true);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		RecordingHandler handler = new RecordingHandler();
		streams.create("t", handler).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("arrived");
		String authority = "[::1]:" + port;
		for (String path : new String[] { "/x", "/moved", "/final" }) {
			RecordedRequest request = server.takeRequest();
			assertThat(request.getTarget()).isEqualTo(path);
			assertThat(request.getHeaders().get("Host")).isEqualTo(authority);
		}
	}

}
