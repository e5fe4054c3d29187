package io.securestreams.protocol.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reference §3.3: a metadata header named {@code content-length} with a nonzero value is a
 * manual content-length: the request has a body of that length, sent from {@code onTx} as for
 * {@code requestTxLen} and bounded by it, and is not also framed as chunked. A value of 0 sends
 * no body; a value that is not a length fails the attempt.
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

	@Test
	void withHttpNoContentLengthAnAnnouncedBodyIsFramedByTheContentLengthFromMetadata() throws Exception {
		// Before, the announced length made the body chunked while the metadata's content-length
		// went out too: both headers at once.
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "POST", "/up")
			.set(StreamTypeKey.HTTP_NO_CONTENT_LENGTH, true)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("len", "content-length:")));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		byte[] body = "hello".getBytes(StandardCharsets.US_ASCII);
		RecordingHandler handler = new RecordingHandler().send(body, body.length);
		SecureStream stream = streams.create("t", handler);
		stream.setMetadata("len", String.valueOf(body.length));
		stream.requestTxLen(body.length);
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		RecordedRequest request = this.server.takeRequest();
		assertThat(request.getHeaders().get("Content-Length")).isEqualTo("5");
		assertThat(request.getHeaders().get("Transfer-Encoding")).isNull();
		assertThat(request.getBody().utf8()).isEqualTo("hello");
	}

	@Test
	void aContentLengthOfZeroSendsTheRequestWithoutABody() throws Exception {
		// Before, the body was chunked as well: both headers went out, and the server took the
		// chunks left on the connection for its next request.
		this.server.enqueue(new MockResponse.Builder().body("one").build());
		this.server.enqueue(new MockResponse.Builder().body("two").build());
		RecordingHandler handler = new RecordingHandler().send("never sent".getBytes(StandardCharsets.US_ASCII), 100);
		SecureStream stream = create(handler, "0");
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		// The response's content-length came back into the same metadata.
		stream.setMetadata("len", "0");
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
		for (int i = 0; i < 2; i++) {
			RecordedRequest request = this.server.takeRequest();
			assertThat(request.getHeaders().get("Content-Length")).isEqualTo("0");
			assertThat(request.getHeaders().get("Transfer-Encoding")).isNull();
			assertThat(request.getBodySize()).isZero();
		}
		assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("onetwo");
		assertThat(this.server.getRequestCount()).isEqualTo(2);
	}

	@Test
	void aContentLengthBoundsWhatTheHandlerMaySend() throws Exception {
		// The handler has 12 bytes but the header promised 5: only 5 go out, so the next request
		// on the kept-alive connection is read as a request, not after 7 stray bytes.
		this.server.enqueue(new MockResponse.Builder().body("one").build());
		this.server.enqueue(new MockResponse.Builder().body("two").build());
		byte[] body = "hello, world".getBytes(StandardCharsets.US_ASCII);
		RecordingHandler handler = new RecordingHandler().send(body, 100);
		SecureStream stream = create(handler, "5");
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		handler.send(body, 100);
		stream.setMetadata("len", "5");
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
		for (int i = 0; i < 2; i++) {
			RecordedRequest request = this.server.takeRequest();
			assertThat(request.getHeaders().get("Content-Length")).isEqualTo("5");
			assertThat(request.getBody().utf8()).isEqualTo("hello");
		}
		assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("onetwo");
	}

	@ParameterizedTest
	@ValueSource(strings = { "five", "-1", "1e3" })
	void aContentLengthThatIsNotALengthFailsTheAttempt(String value) {
		// Before, the request went out with that header and a chunked body as well.
		AtomicInteger txCalls = new AtomicInteger();
		RecordingHandler handler = new RecordingHandler() {

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				txCalls.incrementAndGet();
				return super.onTx(stream, slot);
			}

		}.send("hello".getBytes(StandardCharsets.US_ASCII), 100);
		create(handler, value).requestTx();
		handler.await(StreamState.UNREACHABLE, WAIT);
		assertThat(handler.stateNames()).startsWith("CREATING", "POLL", "CONNECTING", "UNREACHABLE");
		assertThat(txCalls).hasValue(0);
		assertThat(this.server.getRequestCount()).isZero();
	}

	private SecureStream create(RecordingHandler handler, String contentLength) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "POST", "/up")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("len", "content-length:")));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		SecureStream stream = streams.create("t", handler);
		stream.setMetadata("len", contentLength);
		return stream;
	}

}
