package io.securestreams.protocol.h2;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.FrameByFrameH2Server;
import io.securestreams.testsupport.LoopbackNettyServers;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GOAWAY from an h2 server written frame by frame: its first connection takes three requests of
 * three streamtypes, answers GOAWAY with a last stream id that only covers the first, and then
 * answers that one; the two streams the server never processed must be retried (on a new
 * connection), each reaching its result once.
 */
class H2GoAwayTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	// Closes the servers with their accepted connections; the client contexts close after this.
	@RegisterExtension
	final LoopbackNettyServers servers = new LoopbackNettyServers();

	private final List<String> served = new CopyOnWriteArrayList<>();

	@Test
	void streamsAboveTheLastStreamIdOfAGoAwayAreRetriedOnANewConnection() throws Exception {
		threeStreamsMeetAGoAway(0);
	}

	@Test
	void streamsWaitingForAConcurrencySlotWhenGoAwayArrivesAreRetriedOnANewConnection() throws Exception {
		threeStreamsMeetAGoAway(1);
	}

	/** With {@code maxConcurrent} 0 the server takes any number of streams, else that many. */
	private void threeStreamsMeetAGoAway(int maxConcurrent) throws Exception {
		int port = this.servers.start((index) -> new GoAwayServer(index == 0, maxConcurrent, this.served));
		PolicyFragment fragment = TestPolicies.base();
		for (String name : List.of("a", "b", "c")) {
			TestPolicies.h1(fragment.streamType(name), "127.0.0.1", port, "GET", "/" + name)
				.set(StreamTypeKey.PROTOCOL, Protocol.H2);
		}
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		List<RecordingHandler> handlers = new ArrayList<>();
		for (String name : List.of("a", "b", "c")) {
			RecordingHandler handler = new RecordingHandler();
			handlers.add(handler);
			streams.create(name, handler).requestTx();
		}
		for (RecordingHandler handler : handlers) {
			handler.await(StreamState.DISCONNECTED, WAIT);
		}
		for (RecordingHandler handler : handlers) {
			assertThat(handler.stateNames()).as("states").containsOnlyOnce("QOS_ACK_REMOTE")
				.doesNotContain("ALL_RETRIES_FAILED");
			assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("hello");
		}
		assertThat(this.servers.connections()).isEqualTo(2);
		this.resources.guard().assertNoViolations();
	}

	/**
	 * Speaks h2 one frame at a time. The first connection waits for three requests, sends GOAWAY
	 * covering only the first, then answers it; later connections answer each request at once.
	 */
	private static final class GoAwayServer extends FrameByFrameH2Server {

		private final boolean goAway;

		private final List<String> served;

		private final List<Integer> pending = new ArrayList<>();

		private final int maxConcurrent;

		GoAwayServer(boolean goAway, int maxConcurrent, List<String> served) {
			this.goAway = goAway;
			this.maxConcurrent = maxConcurrent;
			this.served = served;
		}

		@Override
		protected Http2Settings settings() {
			Http2Settings settings = new Http2Settings();
			if (this.goAway && this.maxConcurrent > 0) {
				settings.maxConcurrentStreams(this.maxConcurrent);
			}
			return settings;
		}

		@Override
		protected void onRequest(ChannelHandlerContext ctx, int streamId, Http2Headers headers) {
			if (!this.goAway) {
				this.served.add(String.valueOf(headers.path()));
				answerHello(ctx, streamId);
				return;
			}
			this.pending.add(streamId);
			if (this.pending.size() == ((this.maxConcurrent > 0) ? this.maxConcurrent : 3)) {
				writer().writeGoAway(ctx, this.pending.get(0), Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER,
						ctx.newPromise());
				ctx.flush();
				this.served.add(String.valueOf(headers.path()));
				ctx.executor().schedule(() -> answerHello(ctx, this.pending.get(0)), 100, TimeUnit.MILLISECONDS);
			}
		}

	}

}
