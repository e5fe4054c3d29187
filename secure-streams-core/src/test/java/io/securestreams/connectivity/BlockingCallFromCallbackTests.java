package io.securestreams.connectivity;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * detect() waits for a detection stream, which needs an event loop: called from a callback, on
 * an event loop, it is refused at once rather than stalling that loop.
 */
class BlockingCallFromCallbackTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	@Test
	void detectFromACallbackIsRefusedWithAClearError() {
		this.server.enqueue(new MockResponse.Builder().code(204).build());
		// One event loop: the detection stream would need the loop the callback holds.
		SecureStreams streams = this.resources.start(SecureStreams
			.builder(CaptivePortalDetectorTests.policy(this.server.getPort(), (b) -> {
			}))
			.eventLoopThreads(1));
		CaptivePortalDetector detector = new CaptivePortalDetector(streams,
				CaptivePortalDetector.DEFAULT_STREAM_TYPE, Duration.ofMillis(500));
		CompletableFuture<Object> outcome = new CompletableFuture<>();
		streams.createSmd(0, new RecordingHandler().onState((stream, state) -> {
			if (state == StreamState.CONNECTED) {
				try {
					outcome.complete(detector.detect());
				}
				catch (RuntimeException ex) {
					outcome.complete(ex);
				}
			}
			return StreamResult.OK;
		}));
		assertThat(outcome).succeedsWithin(WAIT)
			.isInstanceOfSatisfying(IllegalStateException.class, (ex) -> assertThat(ex)
				.hasMessageContaining("detectAsync()"));
		// The loop is free: a detection started the right way still works.
		assertThat(detector.detectAsync()).succeedsWithin(WAIT).isEqualTo(Connectivity.INTERNET_OK);
	}

}
