package io.securestreams.internal;

import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A proxied client's ONWARD_CONNECT that reaches the onward stream while its kept-alive
 * connection is closing (an overlay changed the streamtype), after the channel went inactive
 * but before the stream heard of the close: the connection can carry no transaction, and the
 * stream must still connect for it once the close is handled.
 */
class OnwardConnectDuringCloseTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private final MockWebServer other = this.resources.mockWebServer();

	@Test
	void anOnwardConnectWhileAPolicyChangeClosesTheKeptConnectionConnectsAnew() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("first").build());
		this.other.enqueue(new MockResponse.Builder().body("second").build());
		SecureStreams streams = this.resources.start(SecureStreams.builder(TestPolicies.with("t",
				(b) -> TestPolicies.h1(b, "127.0.0.1", this.server.getPort(), "GET", "/x")))
			.eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.create("t", handler);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		// In one turn of the loop: the overlay queues the close of the kept connection, and the
		// ONWARD_CONNECT runs after it, before Netty's channelInactive that the close queues.
		((AbstractStream) stream).eventLoop().submit(() -> {
			streams.applyOverlay("test", "{\"s\":[{\"t\":{\"port\":" + this.other.getPort() + "}}]}");
			((OnwardStream) stream).onwardConnect();
		}).get();
		handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
		assertThat(new String(handler.received())).isEqualTo("firstsecond");
	}

}
