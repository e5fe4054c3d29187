package io.securestreams.protocol.h2;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.internal.OnwardStream;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxy's rx flow control on h2 streams that share a connection: a paused stream holds back
 * only its own h2 stream, so a large response it does not read leaves the connection's other
 * streams served.
 */
class H2RxPauseTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final int BIG = 512 * 1024;

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aPausedStreamWithALargeResponseDoesNotStarveTheOtherStreamsOfItsConnection() throws Exception {
		MockWebServer server = H2TestServers.start(this.resources, okhttp3.Protocol.H2_PRIOR_KNOWLEDGE);
		server.setDispatcher(new Dispatcher() {
			@Override
			public MockResponse dispatch(RecordedRequest request) {
				return "/big".equals(request.getTarget())
						? new MockResponse.Builder().body(new Buffer().write(new byte[BIG])).build()
						: new MockResponse.Builder().body("hello").build();
			}
		});
		PolicyFragment fragment = TestPolicies.base();
		H2TestServers.policy(fragment.streamType("big"), server, "GET", "/big");
		H2TestServers.policy(fragment.streamType("small"), server, "GET", "/small");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		RecordingHandler big = new RecordingHandler();
		OnwardStream paused = (OnwardStream) streams.create("big", big);
		paused.setRxPaused(true);
		paused.requestTx();
		big.await(StreamState.CONNECTED, WAIT);
		server.takeRequest();
		// Time for the server to send the paused stream all the window it has, none of which is delivered.
		Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofMillis(500).multipliedBy(3))
			.untilAsserted(() -> assertThat(big.received()).isEmpty());
		RecordingHandler small = new RecordingHandler();
		streams.create("small", small).requestTx();
		small.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(5));
		assertThat(new String(small.received(), StandardCharsets.UTF_8)).isEqualTo("hello");
		assertThat(server.takeRequest().getConnectionIndex()).isZero();
		assertThat(big.states).doesNotContain(StreamState.QOS_ACK_REMOTE);
		paused.setRxPaused(false);
		big.await(StreamState.QOS_ACK_REMOTE, WAIT);
		Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(big.received()).hasSize(BIG));
	}

}
