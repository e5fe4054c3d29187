package io.securestreams.protocol.http;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.securestreams.SecureStream;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A response header the server repeats reaches the metadata it is mapped to whole, as
 * libwebsockets' {@code lws_hdr_copy} joins the fields, and as a raw {@code direct_proto_str}
 * read of the same header gives it.
 */
class RepeatedResponseHeaderTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	@Test
	void aRepeatedResponseHeaderReachesItsMetadataWithEveryValue() throws Exception {
		this.server.enqueue(new MockResponse.Builder().addHeader("X-Tag", "one")
			.addHeader("X-Tag", "two")
			.body("b")
			.build());
		AtomicReference<String> seen = new AtomicReference<>();
		RecordingHandler handler = new RecordingHandler().onState((s, state) -> {
			if (state == StreamState.CONNECTED) {
				seen.set(s.metadata("tag") + "|" + s.metadata("x-tag:"));
			}
			return StreamResult.OK;
		});
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", "/x")
			.set(StreamTypeKey.DIRECT_PROTO_STR, true)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "x-tag:")));
		SecureStream stream = this.resources.start(Mode.DIRECT, fragment.build()).streams().create("t", handler);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(seen.get()).isEqualTo("one, two|one, two");
	}

}
