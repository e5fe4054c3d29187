package io.securestreams.protocol.h2;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proxied streams whose onward transactions share one h2 connection: a link that goes away in
 * the middle of its response ends only its own h2 stream.
 */
class H2ProxiedSharedConnectionTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = H2TestServers.h2(this.resources);

	@Test
	void aLinkDroppedMidResponseLeavesTheOtherStreamOnTheConnection() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("slow").bodyDelay(5, TimeUnit.SECONDS).build());
		this.server.enqueue(new MockResponse.Builder().body("two").build());
		PolicyFragment fragment = TestPolicies.base();
		H2TestServers.policy(fragment.streamType("get"), this.server, "GET", "/get");
		StreamsUnderTest streams = this.resources.start(Mode.PROXIED, fragment.build());
		RecordingHandler first = new RecordingHandler();
		SecureStream dropped = streams.streams().create("get", first);
		dropped.requestTx();
		first.await(StreamState.CONNECTED, WAIT);
		RecordingHandler second = new RecordingHandler();
		streams.streams().create("get", second).requestTx();
		dropped.destroy();
		second.await(StreamState.DISCONNECTED, WAIT);
		assertThat(second.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE",
				"DISCONNECTED");
		assertThat(new String(second.received(), StandardCharsets.UTF_8)).isEqualTo("two");
		RecordedRequest one = this.server.takeRequest();
		RecordedRequest two = this.server.takeRequest();
		assertThat(List.of(one.getConnectionIndex(), two.getConnectionIndex())).containsExactly(0, 0);
	}

}
