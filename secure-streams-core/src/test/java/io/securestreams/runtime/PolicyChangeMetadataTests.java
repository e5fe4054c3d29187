package io.securestreams.runtime;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Once applyOverlay has returned, its streamtypes are in force for setMetadata on every thread:
 * before, a stream checked names against the streamtype its event loop had last been told of,
 * so a name the overlay had just declared was refused while that loop was busy (here, in a
 * callback), and accepted a moment later.
 */
class PolicyChangeMetadataTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aNameAnOverlayDeclaresCanBeSetAsSoonAsTheOverlayReturns() throws Exception {
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> out
			.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))) {
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", peer.port(), "GET", "/");
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
			CountDownLatch inCallback = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			RecordingHandler handler = new RecordingHandler().onState((stream, state) -> {
				if (state == StreamState.CONNECTING && inCallback.getCount() > 0) {
					inCallback.countDown();
					try {
						release.await(10, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}
				return StreamResult.OK;
			});
			SecureStream stream = streams.create("t", handler);
			stream.requestTx();
			try {
				assertThat(inCallback.await(10, TimeUnit.SECONDS)).isTrue();
				streams.applyOverlay("more", "{\"s\": [{\"t\": {\"metadata\": [{\"extra\": \"x-extra:\"}]}}]}");
				stream.setMetadata("extra", "v");
				assertThat(stream.metadata("extra")).isEqualTo("v");
				// And a name the overlay did not declare is still refused.
				assertThatIllegalArgumentException().isThrownBy(() -> stream.setMetadata("other", "v"))
					.withMessageContaining("does not declare metadata 'other'");
			}
			finally {
				release.countDown();
			}
		}
	}

}
