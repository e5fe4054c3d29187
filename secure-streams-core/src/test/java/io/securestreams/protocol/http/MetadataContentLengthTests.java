package io.securestreams.protocol.http;

import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reference §3.3: a metadata header named {@code content-length} with a nonzero value is a
 * manual content-length: the request has a body of that length, sent from {@code onTx} as for
 * {@code requestTxLen}, and is not also framed as chunked.
 */
class MetadataContentLengthTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	@ParameterizedTest
	@ValueSource(strings = { "POST", "DELETE" })
	void aContentLengthFromMetadataMakesAFixedLengthBody(String method) throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), method, "/up")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("len", "content-length:")));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		byte[] body = "hello".getBytes(StandardCharsets.US_ASCII);
		RecordingHandler handler = new RecordingHandler().send(body, body.length);
		SecureStream stream = streams.create("t", handler);
		stream.setMetadata("len", String.valueOf(body.length));
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		RecordedRequest request = this.server.takeRequest();
		assertThat(request.getHeaders().get("Content-Length")).isEqualTo("5");
		assertThat(request.getHeaders().get("Transfer-Encoding")).isNull();
		assertThat(request.getBody().utf8()).isEqualTo("hello");
	}

}
