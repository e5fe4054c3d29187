package io.securestreams.protocol.h2;

import java.time.Duration;
import java.util.Map;

import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RideshareHandler;
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
 * README {@code rideshare} on h2, the case libwebsockets' AVS example uses it for: one request
 * body on one h2 stream carries the multipart parts of a streamtype and its rideshare.
 */
class H2RideshareTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = H2TestServers.h2(this.resources);

	@Test
	void oneH2RequestBodyCarriesThePartsOfTheChain() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		PolicyFragment fragment = TestPolicies.base();
		H2TestServers.policy(fragment.streamType("events"), this.server, "POST", "/events")
			.set(StreamTypeKey.HTTP_MULTIPART_NAME, "metadata")
			.set(StreamTypeKey.RIDESHARE, "audio");
		H2TestServers.policy(fragment.streamType("audio"), this.server, "POST", "/events")
			.set(StreamTypeKey.HTTP_MULTIPART_NAME, "audio");
		StreamsUnderTest streams = this.resources.start(Mode.DIRECT, fragment.build());
		RideshareHandler handler = new RideshareHandler(Map.of("events", "{}", "audio", "b".repeat(3000)), "audio");
		streams.streams().create("events", handler).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(20));
		RecordedRequest request = this.server.takeRequest();
		assertThat(request.getVersion()).isEqualTo("HTTP/2");
		String contentType = request.getHeaders().get("Content-Type");
		String boundary = contentType.substring(contentType.indexOf('=') + 1);
		assertThat(request.getBody().utf8()).isEqualTo("--" + boundary
				+ "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{}\r\n--" + boundary
				+ "\r\nContent-Disposition: form-data; name=\"audio\"\r\n\r\n" + "b".repeat(3000) + "\r\n--"
				+ boundary + "--\r\n");
		assertThat(handler.asked).containsExactly("events", "audio");
	}

}
