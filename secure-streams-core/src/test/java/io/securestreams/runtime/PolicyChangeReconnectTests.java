package io.securestreams.runtime;

import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.JettyWsServer;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A connected stream that is not opportunistic, whose streamtype an overlay changes, connects
 * again at once under the new policy (docs/streams.md): the change is not a failure.
 */
class PolicyChangeReconnectTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void wsStreamWithoutRetriesConnectsAgainAfterAnOverlay() throws Exception {
		JettyWsServer ws = this.resources.closing(new JettyWsServer(null, false));
		SecureStreams streams = this.resources.start(SecureStreams
			.builder(TestPolicies.with("w", (b) -> TestPolicies.ws(b, ws.port(), "/echo").set(StreamTypeKey.RETRY, null)))
			.eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler();
		streams.create("w", handler).connect();
		handler.await(StreamState.CONNECTED, WAIT);
		streams.applyOverlay("url", "{\"s\": [{\"w\": {\"http_url\": \"/echo?v=2\"}}]}");
		handler.await(StreamState.CONNECTED, 2, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED", "POLL",
				"CONNECTING", "CONNECTED");
		assertThat(ws.upgradeHeaders).hasSize(2);
	}

}
