package io.securestreams.boot.health;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.connectivity.CaptivePortalDetector;
import io.securestreams.connectivity.Connectivity;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SecureStreamsHealthIndicator}.
 */
class SecureStreamsHealthIndicatorTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams streams;

	@AfterEach
	void stop() {
		this.streams.close();
	}

	@Test
	void aClosedContextIsDown() {
		// Before, a context closed while the application ran (by a handler, say) was UP: its
		// nailed-up streams were gone, so none sat in ALL_RETRIES_FAILED, and no stream could start.
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("link"), "127.0.0.1", 9, "GET", "/").set(StreamTypeKey.NAILED_UP, true);
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(1).build();
		SecureStreamsHealthIndicator indicator = new SecureStreamsHealthIndicator(this.streams);
		assertThat(indicator.health(true).getStatus()).isEqualTo(Status.UP);
		this.streams.close();
		Health health = indicator.health(true);
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("closed", true);
	}

	@Test
	void nailedUpStreamThatGaveUpIsDown() throws Exception {
		int port = this.resources.refusedPort();
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("link"), "127.0.0.1", port, "GET", "/")
			.set(StreamTypeKey.OPPORTUNISTIC, false)
			.set(StreamTypeKey.NAILED_UP, true)
			.set(StreamTypeKey.RETRY, "once");
		TestPolicies.h1(fragment.streamType("casual"), "127.0.0.1", port, "GET", "/").set(StreamTypeKey.RETRY, "once");
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(1).build();
		SecureStreamsHealthIndicator indicator = new SecureStreamsHealthIndicator(this.streams);
		RecordingHandler casual = new RecordingHandler();
		this.streams.create("casual", casual).requestTx();
		Awaitility.await().until(() -> casual.states.contains(StreamState.ALL_RETRIES_FAILED));
		assertThat(indicator.health(true).getStatus()).isEqualTo(Status.UP);
		RecordingHandler link = new RecordingHandler();
		this.streams.create("link", link);
		Awaitility.await().until(() -> link.states.contains(StreamState.ALL_RETRIES_FAILED));
		Health health = indicator.health(true);
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("streams", 2).containsKey("allRetriesFailed");
		assertThat(health.getDetails().get("allRetriesFailed").toString()).contains("streamType=link")
			.doesNotContain("casual");
	}

	@Test
	void lastCaptivePortalDetectionIsADetailThatLeavesTheStatusAlone() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		int refused = this.resources.refusedPort();
		TestPolicies.h1(fragment.streamType("captive_portal_detect"), "127.0.0.1", refused, "GET", "/generate_204")
			.set(StreamTypeKey.RETRY, null);
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(1).build();
		CaptivePortalDetector detector = new CaptivePortalDetector(this.streams);
		SecureStreamsHealthIndicator indicator = new SecureStreamsHealthIndicator(this.streams, detector);
		assertThat(indicator.health(true).getDetails()).containsEntry("connectivity", "UNKNOWN");
		assertThat(detector.detect()).isEqualTo(Connectivity.NO_INTERNET);
		Health health = indicator.health(true);
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("connectivity", "NO_INTERNET");
		CaptivePortalDetector unconfigured = new CaptivePortalDetector(this.streams, "absent",
				CaptivePortalDetector.DEFAULT_TIMEOUT);
		assertThat(new SecureStreamsHealthIndicator(this.streams, unconfigured).health(true).getDetails())
			.doesNotContainKey("connectivity");
	}

}
