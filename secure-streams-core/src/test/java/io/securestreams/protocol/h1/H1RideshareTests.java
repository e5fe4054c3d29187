package io.securestreams.protocol.h1;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.securestreams.SecureStream;
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
import okhttp3.MultipartReader;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README {@code rideshare}: one http request body carries the payload of a streamtype and of its
 * rideshare chain, one part each; the application fills the parts in turn, ending each with an
 * EOM, and {@link SecureStream#rideshare()} says whose part {@code onTx} is filling. The body is
 * read back with OkHttp's multipart reader. Run directly and through our Java proxy, where the
 * proxied client learns the chain from CREATE_RESULT, the parts' EOMs travel as TX_PAYLOAD flags
 * and the proxy's onward stream moves between the parts.
 */
@ParameterizedClass
@EnumSource(Mode.class)
class H1RideshareTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final Map<String, String> PAYLOADS = Map.of("upload", "{\"event\":\"speech\"}", "upload_audio",
			"a".repeat(40_000), "upload_tail", "end");

	@Parameter
	Mode mode;

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private SecureStream create(boolean multipart, RideshareHandler handler) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("upload"), "127.0.0.1", this.server.getPort(), "POST", "/events")
			.set(StreamTypeKey.RIDESHARE, "upload_audio");
		TestPolicies.h1(fragment.streamType("upload_audio"), "127.0.0.1", this.server.getPort(), "POST", "/events")
			.set(StreamTypeKey.RIDESHARE, "upload_tail");
		TestPolicies.h1(fragment.streamType("upload_tail"), "127.0.0.1", this.server.getPort(), "POST", "/events");
		if (multipart) {
			fragment.streamType("upload").set(StreamTypeKey.HTTP_MULTIPART_NAME, "metadata")
				.set(StreamTypeKey.HTTP_MIME_CONTENT_TYPE, "application/json");
			fragment.streamType("upload_audio").set(StreamTypeKey.HTTP_MULTIPART_NAME, "audio")
				.set(StreamTypeKey.HTTP_MULTIPART_FILENAME, "a.raw")
				.set(StreamTypeKey.HTTP_MIME_CONTENT_TYPE, "application/octet-stream");
			fragment.streamType("upload_tail").set(StreamTypeKey.HTTP_MULTIPART_NAME, "tail");
		}
		StreamsUnderTest streams = this.resources.start(this.mode, fragment.build());
		return streams.streams().create("upload", handler);
	}

	@Test
	void aMultipartBodyCarriesOnePartPerStreamtypeOfTheChain() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		RideshareHandler handler = new RideshareHandler(PAYLOADS, "upload_tail");
		create(true, handler).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		RecordedRequest request = this.server.takeRequest();
		String contentType = request.getHeaders().get("Content-Type");
		assertThat(contentType).startsWith("multipart/form-data; boundary=");
		MultipartReader reader = new MultipartReader(new Buffer().write(request.getBody()),
				contentType.substring(contentType.indexOf('=') + 1));
		List<String> parts = new ArrayList<>();
		for (MultipartReader.Part part = reader.nextPart(); part != null; part = reader.nextPart()) {
			parts.add(part.headers().get("Content-Disposition") + " | " + part.headers().get("Content-Type") + " | "
					+ part.body().readUtf8());
		}
		assertThat(parts).containsExactly(
				"form-data; name=\"metadata\" | application/json | " + PAYLOADS.get("upload"),
				"form-data; name=\"audio\"; filename=\"a.raw\" | application/octet-stream | "
						+ PAYLOADS.get("upload_audio"),
				"form-data; name=\"tail\" | null | end");
		assertThat(handler.asked).containsExactly("upload", "upload_audio", "upload_tail");
		assertThat(handler.stateNames()).contains("CONNECTED", "QOS_ACK_REMOTE");
	}

	@Test
	void withoutMultipartTheChainsPayloadsFollowEachOtherUnderOneContentLength() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		RideshareHandler handler = new RideshareHandler(PAYLOADS, "upload_tail");
		int total = PAYLOADS.values().stream().mapToInt(String::length).sum();
		create(false, handler).requestTxLen(total);
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		RecordedRequest request = this.server.takeRequest();
		assertThat(request.getHeaders().get("Content-Length")).isEqualTo(String.valueOf(total));
		assertThat(request.getBody().utf8()).isEqualTo(PAYLOADS.get("upload") + PAYLOADS.get("upload_audio") + "end");
	}

}
