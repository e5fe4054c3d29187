package io.securestreams.protocol.h1;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An http client's {@code onTx} that writes nothing but flags (a SOM before it has data, say)
 * is called again, as libwebsockets re-arms writeable after a write without EOM, but on a later
 * task of the event loop: the other streams of the loop go on meanwhile.
 */
class H1EmptyTxWriteTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void anEmptyWriteWithoutEomIsAskedAgainWithoutHoldingTheEventLoop() throws Exception {
		MockWebServer server = this.resources.mockWebServer();
		server.enqueue(new MockResponse.Builder().body("other").build());
		server.enqueue(new MockResponse.Builder().body("got it").build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("post"), "127.0.0.1", server.getPort(), "POST", "/post");
		TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", server.getPort(), "GET", "/get");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		RecordingHandler other = new RecordingHandler();
		AtomicInteger emptyWrites = new AtomicInteger();
		// The bytes come once the other stream of the loop has its answer (or, should the loop be
		// held, after a while, so that the test ends).
		long giveUp = System.nanoTime() + Duration.ofSeconds(15).toNanos();
		RecordingHandler waiting = new RecordingHandler() {
			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				if (!other.states.contains(StreamState.QOS_ACK_REMOTE) && System.nanoTime() < giveUp) {
					// Nothing to send yet: the message starts, empty; a later call carries its bytes.
					emptyWrites.incrementAndGet();
					slot.flags(StreamFlags.SOM);
					return StreamResult.OK;
				}
				slot.write("late".getBytes(StandardCharsets.US_ASCII)).flags(StreamFlags.EOM);
				return StreamResult.OK;
			}
		};
		SecureStream post = streams.create("post", waiting);
		SecureStream get = streams.create("get", other);
		post.requestTx();
		Awaitility.await().atMost(WAIT).until(() -> emptyWrites.get() > 0);
		get.requestTx();
		other.await(StreamState.QOS_ACK_REMOTE, WAIT);
		waiting.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(emptyWrites.get()).isGreaterThan(1);
		assertThat(server.takeRequest().getTarget()).isEqualTo("/get");
		RecordedRequest request = server.takeRequest();
		assertThat(request.getTarget()).isEqualTo("/post");
		assertThat(request.getBody().utf8()).isEqualTo("late");
	}

}
