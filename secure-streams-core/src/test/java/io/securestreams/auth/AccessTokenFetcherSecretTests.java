package io.securestreams.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A token answer that is not JSON because the server sent the token bare (as text, or unquoted in
 * the object) is a failed fetch whose reason, returned and logged, says where the answer is wrong
 * without quoting the token: Jackson's message quotes the unrecognized word, which was the token.
 */
class AccessTokenFetcherSecretTests {

	private static final String SECRET = "gho_16C7e42F292c6912E7710c838347Ae178B4a";

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	@ParameterizedTest
	@ValueSource(strings = { SECRET, "{\"access_token\": " + SECRET + ", \"expires_in\": 3600}",
			"{\"access_token\":\"x\"} " + SECRET })
	void aTokenInAnAnswerThatIsNotJsonIsNeitherReturnedNorLogged(String body) {
		SystemBlobs blobs = new SystemBlobs();
		blobs.set(SystemBlobs.Type.AUTH, 1, "grant_type=refresh_token".getBytes(StandardCharsets.UTF_8));
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType(AccessTokenFetcher.DEFAULT_STREAM_TYPE), "127.0.0.1",
				this.server.getPort(), "POST", "/auth/o2/token")
			.set(StreamTypeKey.RETRY, null);
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).systemBlobs(blobs));
		AccessTokenFetcher fetcher = this.resources.closing(
				new AccessTokenFetcher(streams, AccessTokenFetcher.DEFAULT_STREAM_TYPE, Duration.ofSeconds(10)));
		this.server.enqueue(new MockResponse.Builder().code(200).body(body).build());
		try (LogCapture logs = new LogCapture()) {
			AccessTokenResult result = fetcher.fetch();
			assertThat(result.obtained()).isFalse();
			assertThat(result.error()).startsWith("the token answer is not JSON").contains("line 1, column")
				.doesNotContain(SECRET);
			assertThat(logs.messages()).isNotEmpty().noneMatch((message) -> message.contains(SECRET));
		}
		assertThat(blobs.get(SystemBlobs.Type.AUTH, 0)).isNull();
	}

}
