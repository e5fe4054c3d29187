package io.securestreams.smd;

import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An SMD stream connects at creation; a connect from its CREATING callback comes first, and a
 * DISCONNECT_ME after it must not be undone by the connection made at creation.
 */
class SmdCreatingCallsTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aDisconnectAfterAConnectFromCreatingStays() {
		// One event loop: once a stream created later is connected, the first one's tasks have run.
		SecureStreams streams = this.resources.start(SecureStreams.builder(TestPolicies.base().build())
			.eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler().onState((stream, state) -> {
			if (state == StreamState.CREATING) {
				stream.connect();
			}
			return (state == StreamState.CONNECTED) ? StreamResult.DISCONNECT_ME : StreamResult.OK;
		});
		streams.createSmd(SmdClass.NETWORK, handler);
		RecordingHandler later = new RecordingHandler();
		streams.createSmd(SmdClass.NETWORK, later);
		later.await(StreamState.CONNECTED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
		assertThat(streams.smd().publish(SmdClass.NETWORK, "{\"n\":1}")).isEqualTo(1);
	}

}
