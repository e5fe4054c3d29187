package io.securestreams.protocol.http;

import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A metadata value not mapped to a header may hold any bytes; substituted into {@code http_url}
 * a control character would break the request line (a tab splits it for servers that read any
 * whitespace as a separator, RFC 9112 section 3), so the attempt fails before anything is sent,
 * as it does for a space or a line break and as it does on ws.
 */
class RequestTargetControlTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	@ParameterizedTest
	@ValueSource(strings = { "a\tb", "a\u0000b", "a\u007fb", "a\u000bb" })
	void aControlCharacterSubstitutedIntoTheUrlFailsTheAttemptWithoutSendingARequest(String value) {
		this.server.enqueue(new MockResponse.Builder().body("b").build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", "/q/${q}")
			.set(StreamTypeKey.RETRY, null)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("q", "")));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.resources.start(Mode.DIRECT, fragment.build()).streams().create("t", handler);
		stream.setMetadata("q", value);
		stream.requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).endsWith("CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
		assertThat(this.server.getRequestCount()).isZero();
	}

}
