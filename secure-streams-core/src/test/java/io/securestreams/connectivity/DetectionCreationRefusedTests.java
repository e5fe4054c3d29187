package io.securestreams.connectivity;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A detection whose stream the context refuses to create in a way other than its usual
 * {@code SecureStreamsException}: a {@code captive_portal_detect} that is a server streamtype,
 * asked for from a callback (as a proxied client's {@code cpdcheck} is, on an event loop), where
 * a listener cannot be bound. The detection fails quietly, as a creation that fails does in
 * libwebsockets, and the detector stays usable.
 */
class DetectionCreationRefusedTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	@Test
	void aDetectionWhoseStreamCannotBeCreatedEndsUnknownAndTheNextOneRuns() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType(CaptivePortalDetector.DEFAULT_STREAM_TYPE), Protocol.H1, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		CaptivePortalDetector detector = new CaptivePortalDetector(streams,
				CaptivePortalDetector.DEFAULT_STREAM_TYPE, Duration.ofSeconds(10));
		CompletableFuture<Object> outcome = new CompletableFuture<>();
		streams.createSmd(0, new RecordingHandler().onState((stream, state) -> {
			if (state == StreamState.CONNECTED) {
				try {
					detector.detectAsync()
						.whenComplete((found, error) -> outcome.complete((error != null) ? error : found));
				}
				catch (RuntimeException ex) {
					outcome.complete(ex);
				}
			}
			return StreamResult.OK;
		}));
		assertThat(outcome).succeedsWithin(WAIT).isEqualTo(Connectivity.UNKNOWN);
		assertThat(detector.result()).isEqualTo(Connectivity.UNKNOWN);
		// Before, the failed detection stayed the one in flight: every later one joined it, forever.
		this.server.enqueue(new MockResponse.Builder().code(204).build());
		streams.applyOverlay("client", """
				{"s": [{"captive_portal_detect": {"server": false, "endpoint": "127.0.0.1", "port": %d,
				    "protocol": "h1", "http_method": "GET", "http_url": "/generate_204", "http_expect": 204}}]}
				""".formatted(this.server.getPort()));
		assertThat(detector.detectAsync()).succeedsWithin(WAIT).isEqualTo(Connectivity.INTERNET_OK);
	}

}
