package io.securestreams.protocol.h2;

import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
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
 * Metadata headers that h2 forbids or spells differently: connection-specific headers are left
 * out of the h2 request (RFC 9113 section 8.2.2) and names go out in lower case, so the server
 * accepts the request.
 */
class H2RequestHeaderTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void connectionSpecificMetadataHeadersAreLeftOutAndNamesAreLowerCase() throws Exception {
		MockWebServer server = H2TestServers.h2(this.resources);
		server.enqueue(new MockResponse.Builder().body("ok").build());
		PolicyFragment fragment = TestPolicies.base();
		H2TestServers.policy(fragment.streamType("t"), server, "GET", "/x")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("conn", "Connection:"),
					new MetadataDeclaration("ka", "Keep-Alive:"), new MetadataDeclaration("up", "Upgrade:"),
					new MetadataDeclaration("te", "TE:"), new MetadataDeclaration("tag", "X-Device-TAG:")));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.create("t", handler);
		stream.setMetadata("conn", "keep-alive");
		stream.setMetadata("ka", "timeout=5");
		stream.setMetadata("up", "h2c");
		stream.setMetadata("te", "gzip");
		stream.setMetadata("tag", "blue");
		stream.requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(handler.stateNames()).contains("QOS_ACK_REMOTE");
		RecordedRequest request = server.takeRequest();
		assertThat(request.getHeaders().get("x-device-tag")).isEqualTo("blue");
		assertThat(request.getHeaders().names()).doesNotContain("connection", "keep-alive", "upgrade", "te");
	}

	@Test
	void aResponseWithTrailersEndsWithEomAndItsResult() throws Exception {
		MockWebServer server = H2TestServers.h2(this.resources);
		server.enqueue(new MockResponse.Builder().body("with trailers")
			.trailers(okhttp3.Headers.of("x-checksum", "abc"))
			.build());
		PolicyFragment fragment = TestPolicies.base();
		H2TestServers.policy(fragment.streamType("t"), server, "GET", "/x");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		RecordingHandler handler = new RecordingHandler();
		streams.create("t", handler).requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE", "DISCONNECTED");
		assertThat(new String(handler.received(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("with trailers");
		assertThat(handler.rxFlags).containsExactly(io.securestreams.StreamFlags.SOM, io.securestreams.StreamFlags.EOM);
	}

}
