package io.securestreams.protocol.http;

import java.time.Duration;
import java.util.function.Consumer;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.MultipartReader;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The head of a multipart request body's part, from {@code http_multipart_name},
 * {@code http_multipart_filename} and {@code http_mime_content_type}: a quote or line break in a
 * name cannot end its quoted string or add a part header, and a content type that cannot be a
 * header fails the attempt before anything is sent.
 */
class MultipartRequestHeadTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final LogCapture logs = this.resources.closing(new LogCapture());

	private final MockWebServer server = this.resources.mockWebServer();

	private SecureStream create(RecordingHandler handler, Consumer<StreamTypePolicy.Builder> keys) {
		PolicyFragment fragment = TestPolicies.base();
		keys.accept(TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "POST", "/upload")
			.set(StreamTypeKey.RETRY, null));
		return this.resources.start(SecureStreams.builder(fragment.build())).create("t", handler);
	}

	@Test
	void quotesAndLineBreaksInANameAreEscapedAsBrowsersDo() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		RecordingHandler handler = new RecordingHandler().send("value1".getBytes(), 100);
		create(handler, (b) -> b.set(StreamTypeKey.HTTP_MULTIPART_NAME, "a\"; x=\"1\r\nX-Injected: 1")
			.set(StreamTypeKey.HTTP_MULTIPART_FILENAME, "b\".txt")).requestTxLen(6);
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		RecordedRequest request = this.server.takeRequest();
		String contentType = request.getHeaders().get("Content-Type");
		MultipartReader reader = new MultipartReader(new Buffer().write(request.getBody()),
				contentType.substring(contentType.indexOf('=') + 1));
		MultipartReader.Part part = reader.nextPart();
		assertThat(part.headers().names()).containsExactly("Content-Disposition");
		assertThat(part.headers().get("Content-Disposition"))
			.isEqualTo("form-data; name=\"a%22; x=%221%0D%0AX-Injected: 1\"; filename=\"b%22.txt\"");
		assertThat(part.body().readUtf8()).isEqualTo("value1");
		assertThat(reader.nextPart()).isNull();
	}

	@Test
	void aContentTypeWithALineBreakFailsTheAttemptBeforeAnythingIsSent() {
		RecordingHandler handler = new RecordingHandler().send("value1".getBytes(), 100);
		create(handler, (b) -> b.set(StreamTypeKey.HTTP_MULTIPART_NAME, "f")
			.set(StreamTypeKey.HTTP_MIME_CONTENT_TYPE, "text/plain\r\nX-Injected: 1")).requestTxLen(6);
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).endsWith("CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
		assertThat(this.server.getRequestCount()).isZero();
		assertThat(this.logs.contains("http_mime_content_type")).as(this.logs.messages().toString()).isTrue();
	}

}
