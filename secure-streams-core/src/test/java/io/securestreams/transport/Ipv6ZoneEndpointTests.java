package io.securestreams.transport;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.Collections;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A scoped IPv6 literal in an endpoint: a URL writes its zone as {@code %25zone} (RFC 6874, the
 * {@code %} encoded), which is decoded, and the plain {@code %zone} is taken too. The connection
 * goes to the scoped address; the {@code Host} header leaves the zone out, as it only means
 * something on the sending host (RFC 6874 section 4).
 */
class Ipv6ZoneEndpointTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private static StreamTypePolicy h1(String endpoint) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), endpoint, 0, "GET", "/").set(StreamTypeKey.RETRY, null);
		return fragment.build().streamType("t");
	}

	@ParameterizedTest
	@ValueSource(strings = { "http://[fe80::1%25eth0]:8080/path", "http://[fe80::1%eth0]:8080/path" })
	void theZoneOfAUrlEndpointIsDecodedAndLeftOutOfTheAuthority(String endpoint) {
		ConnectTarget target = EndpointResolver.fromUrl(h1(endpoint), endpoint);
		assertThat(target.host()).isEqualTo("fe80::1%eth0");
		assertThat(target.port()).isEqualTo(8080);
		assertThat(target.authority()).isEqualTo("[fe80::1]:8080");
	}

	@Test
	void anAddressWithoutZoneIsUnchanged() {
		ConnectTarget target = EndpointResolver.fromUrl(h1("http://[fe80::25]:80/"), "http://[fe80::25]:80/");
		assertThat(target.host()).isEqualTo("fe80::25");
		assertThat(target.authority()).isEqualTo("[fe80::25]");
	}

	@ParameterizedTest
	@ValueSource(strings = { "http://[::1%25lo]:PORT/x", "[::1%25lo]", "[::1%lo]" })
	void aScopedLoopbackEndpointIsReachedWithAHostHeaderWithoutTheZone(String endpoint) throws Exception {
		NetworkInterface lo = NetworkInterface.getByName("lo");
		assumeTrue(lo != null && Collections.list(lo.getInetAddresses()).stream()
			.anyMatch((address) -> address instanceof Inet6Address && address.isLoopbackAddress()),
				"needs a loopback interface named 'lo' with ::1 (Linux); its name differs elsewhere");
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.start(InetAddress.getByName("::1"), 0);
		server.enqueue(new MockResponse.Builder().body("ok").build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), endpoint.replace("PORT", String.valueOf(server.getPort())),
				server.getPort(), "GET", "/x")
			.set(StreamTypeKey.RETRY, null);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		RecordingHandler handler = new RecordingHandler();
		streams.create("t", handler).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(10));
		RecordedRequest request = server.takeRequest();
		assertThat(request.getTarget()).isEqualTo("/x");
		assertThat(request.getHeaders().get("Host")).isEqualTo("[::1]:" + server.getPort());
	}

}
