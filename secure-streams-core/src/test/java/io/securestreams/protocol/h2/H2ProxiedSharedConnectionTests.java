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
 * the middle of its response, or an overlay that changes another streamtype on the connection,
 * ends only what is its own.
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

	@Test
	void anotherStreamtypeChangedByAnOverlayLeavesTheResponseInFlight() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("a").build());
		this.server.enqueue(new MockResponse.Builder().body("slow").bodyDelay(2, TimeUnit.SECONDS).build());
		PolicyFragment fragment = TestPolicies.base();
		H2TestServers.policy(fragment.streamType("a"), this.server, "GET", "/a");
		H2TestServers.policy(fragment.streamType("b"), this.server, "GET", "/b");
		StreamsUnderTest streams = this.resources.start(Mode.PROXIED, fragment.build());
		RecordingHandler changed = new RecordingHandler();
		streams.streams().create("a", changed).requestTx();
		changed.await(StreamState.DISCONNECTED, WAIT);
		RecordingHandler slow = new RecordingHandler();
		streams.streams().create("b", slow).requestTx();
		slow.await(StreamState.CONNECTED, WAIT);
		// The proxy's onward stream of "a" still holds the shared connection it made its request on.
		streams.policyContext().applyOverlay("url", "{\"s\": [{\"a\": {\"http_url\": \"/a2\"}}]}");
		slow.await(StreamState.DISCONNECTED, WAIT);
		assertThat(slow.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE",
				"DISCONNECTED");
		assertThat(new String(slow.received(), StandardCharsets.UTF_8)).isEqualTo("slow");
		assertThat(List.of(this.server.takeRequest().getConnectionIndex(), this.server.takeRequest()
			.getConnectionIndex())).containsExactly(0, 0);
	}

}
