package io.securestreams.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A token answer whose {@code access_token} starts or ends with a space, or is only spaces: an
 * http header value cannot (RFC 9110 section 5.5), so a request sending it through
 * {@code http_auth_header} would reach the server with another token (the spaces dropped). The
 * answer is refused and the token stored before keeps authorizing requests.
 */
class AccessTokenSpacesTests {

	private static final String OLD_TOKEN = "Atza|old";

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	@ParameterizedTest
	@ValueSource(strings = { " Atza|new", "Atza|new ", "   " })
	void aTokenWithSpacesAroundItIsRefusedAndTheOldOneStillAuthorizes(String token) throws Exception {
		SystemBlobs blobs = new SystemBlobs();
		blobs.set(SystemBlobs.Type.AUTH, 0, OLD_TOKEN.getBytes(StandardCharsets.UTF_8));
		blobs.set(SystemBlobs.Type.AUTH, 1, "grant_type=refresh_token".getBytes(StandardCharsets.UTF_8));
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType(AccessTokenFetcher.DEFAULT_STREAM_TYPE), "127.0.0.1",
				this.server.getPort(), "POST", "/auth/o2/token")
			.set(StreamTypeKey.RETRY, null);
		TestPolicies.h1(fragment.streamType("api"), "127.0.0.1", this.server.getPort(), "GET", "/v1/things")
			.set(StreamTypeKey.RETRY, null)
			.set(StreamTypeKey.HTTP_AUTH_HEADER, "authorization:");
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).systemBlobs(blobs));
		AccessTokenFetcher fetcher = this.resources.closing(new AccessTokenFetcher(streams));
		this.server.enqueue(new MockResponse.Builder().code(200)
			.body("{\"access_token\":\"" + token + "\",\"expires_in\":3600}")
			.build());
		AccessTokenResult result = fetcher.fetch();
		assertThat(result.obtained()).isFalse();
		assertThat(result.error()).contains("access_token");
		assertThat(blobs.getString(SystemBlobs.Type.AUTH, 0)).isEqualTo(OLD_TOKEN);
		this.server.takeRequest();
		this.server.enqueue(new MockResponse.Builder().code(200).body("[]").build());
		RecordingHandler api = new RecordingHandler();
		streams.create("api", api).requestTx();
		api.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(this.server.takeRequest().getHeaders().get("authorization")).isEqualTo(OLD_TOKEN);
	}

}
