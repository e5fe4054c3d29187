package io.securestreams.protocol.ws;

import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An overlay that changes the retry scheme a streamtype names changes what its live connections
 * do (the validity check runs by the scheme's {@code svalidping} and {@code svalidhup}): the
 * connection is dropped and made again under the new scheme, as for a change of the streamtype's
 * own keys, instead of carrying on by the old scheme until it ends by itself.
 */
class WsRetrySchemeOverlayTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void validityCheckAddedToTheRetrySchemeReachesALiveConnection() throws Exception {
		try (WsClientValidityTests.ChattyServer server = new WsClientValidityTests.ChattyServer(false);
				LogCapture logs = new LogCapture()) {
			PolicyFragment fragment = TestPolicies.base();
			// No validity check at first: the server never answering PINGs goes unnoticed.
			fragment.retry(new RetryPolicy("valid", List.of(100), RetryPolicy.CONCEAL_FOREVER, 0, 0, 0));
			TestPolicies.ws(fragment.streamType("ws"), server.port(), "/").set(StreamTypeKey.RETRY, "valid");
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
			RecordingHandler handler = new RecordingHandler();
			streams.create("ws", handler).connect();
			handler.await(StreamState.CONNECTED, Duration.ofSeconds(10));

			streams.applyOverlay("validity", "{\"retry\": [{\"valid\": {\"backoff\": [100], \"conceal\": 65535, "
					+ "\"jitterpc\": 0, \"svalidping\": 1, \"svalidhup\": 2}}]}");

			// Ping after 1 s and hang up after 2 s of the scheme in force, with a margin for a loaded machine.
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> logs.contains("validity timeout"));
			assertThat(server.opcodes).as("the client sent a PING").contains(0x9);
			assertThat(server.connections.get()).isGreaterThanOrEqualTo(2);
		}
	}

}
