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
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.LoopbackNettyServers;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GOAWAY from an h2 server written frame by frame: its first connection takes three requests of
 * three streamtypes, answers GOAWAY with a last stream id that only covers the first, and then
 * answers that one (or, in one case, closes the connection). The two streams the server never
 * processed (RFC 9113 section 6.8) go to a new connection unseen: no UNREACHABLE and no retry
 * used, which the streamtypes here do not have (no retry policy), each reaching its result once.
 */
class H2GoAwayTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final List<String> SUCCESS = List.of("CREATING", "POLL", "CONNECTING", "CONNECTED",
			"QOS_ACK_REMOTE", "DISCONNECTED");

	private static final List<String> FAILED = List.of("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
			"ALL_RETRIES_FAILED");

	@RegisterExtension
	final TestResources resources = new TestResources();

	// Closes the servers with their accepted connections; the client contexts close after this.
	@RegisterExtension
	final LoopbackNettyServers servers = new LoopbackNettyServers();

	private final List<String> served = new CopyOnWriteArrayList<>();

	@Test
	void streamsAboveTheLastStreamIdOfAGoAwayMoveToANewConnectionUnseen() throws Exception {
		List<RecordingHandler> handlers = threeStreamsMeetAGoAway(0, false);
		assertAllServedUnseenOnTwoConnections(handlers);
	}

	@Test
	void streamsWaitingForAConcurrencySlotWhenGoAwayArrivesMoveToANewConnectionUnseen() throws Exception {
		List<RecordingHandler> handlers = threeStreamsMeetAGoAway(1, false);
		assertAllServedUnseenOnTwoConnections(handlers);
	}

	private void assertAllServedUnseenOnTwoConnections(List<RecordingHandler> handlers) {
		for (RecordingHandler handler : handlers) {
			assertThat(handler.stateNames()).isEqualTo(SUCCESS);
			assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("hello");
		}
		assertThat(this.served).containsExactlyInAnyOrder("/a", "/b", "/c");
		assertThat(this.servers.connections()).isEqualTo(2);
	}

	/**
	 * The GOAWAY covers the first stream, which the server then drops with the connection: that
	 * request may have been processed, so its loss is a failed attempt as before; the two left out
	 * still move, even though the connection closes before their h2 streams report their end.
	 */
	@Test
	void aProcessedStreamLostAfterAGoAwayStillFailsWhileTheOthersMove() throws Exception {
		List<RecordingHandler> handlers = threeStreamsMeetAGoAway(0, true);
		List<String> names = new ArrayList<>(List.of("a", "b", "c"));
		String dropped = this.served.stream().filter((s) -> s.startsWith("dropped /")).findFirst().orElseThrow();
		String lost = dropped.substring("dropped /".length());
		assertThat(handlers.get(names.indexOf(lost)).stateNames()).isEqualTo(FAILED);
		names.remove(lost);
		for (String name : names) {
			RecordingHandler handler = handlers.get(List.of("a", "b", "c").indexOf(name));
			assertThat(handler.stateNames()).as(name).isEqualTo(SUCCESS);
			assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("hello");
		}
		assertThat(this.served).containsExactlyInAnyOrder(dropped, "/" + names.get(0), "/" + names.get(1));
	}

	/**
	 * A server whose every connection answers the request with GOAWAY leaving it out: the request
	 * moves {@link H2Exchange#MAX_MOVES} times, then the attempt fails instead of going on for ever.
	 */
	@Test
	void aRequestLeftOutOfEveryGoAwayFailsTheAttemptAfterTheLastMove() throws Exception {
		int port = this.servers.start((index) -> new FrameByFrameH2Server() {
			@Override
			protected Http2Settings settings() {
				return new Http2Settings();
			}

			@Override
			protected void onRequest(ChannelHandlerContext ctx, int streamId, Http2Headers headers) {
				H2GoAwayTests.this.served.add(String.valueOf(headers.path()));
				writer().writeGoAway(ctx, 0, Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER, ctx.newPromise());
				ctx.flush();
			}
		});
		SecureStreams streams = start(port, List.of("a"));
		RecordingHandler handler = new RecordingHandler();
		streams.create("a", handler).requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).isEqualTo(FAILED);
		assertThat(this.served).hasSize(H2Exchange.MAX_MOVES + 1);
		assertThat(this.servers.connections()).isEqualTo(H2Exchange.MAX_MOVES + 1);
		this.resources.guard().assertNoViolations();
	}

	/**
	 * A GOAWAY with an error code says why the server closes, perhaps because it blames this
	 * client: the code and the debug data are logged at WARN (the data's line break as '?').
	 */
	@Test
	void aGoAwayWithAnErrorCodeIsLoggedWithItsCodeAndDebugData() throws Exception {
		LogCapture logs = this.resources.closing(new LogCapture());
		int port = this.servers.start((index) -> new FrameByFrameH2Server() {
			@Override
			protected Http2Settings settings() {
				return new Http2Settings();
			}

			@Override
			protected void onRequest(ChannelHandlerContext ctx, int streamId, Http2Headers headers) {
				writer().writeGoAway(ctx, streamId, Http2Error.ENHANCE_YOUR_CALM.code(),
						Unpooled.copiedBuffer("too many requests\nfrom you", StandardCharsets.UTF_8), ctx.newPromise());
				ctx.flush();
				ctx.close();
			}
		});
		SecureStreams streams = start(port, List.of("a"));
		RecordingHandler handler = new RecordingHandler();
		streams.create("a", handler).requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(logs.warnings()).anySatisfy((line) -> assertThat(line)
			.contains("received GOAWAY ENHANCE_YOUR_CALM (last stream ")
			.contains("debug data 'too many requests?from you')"));
	}

	/**
	 * With {@code maxConcurrent} 0 the server takes any number of streams, else that many; with
	 * {@code drop} it closes the connection after its GOAWAY instead of answering the first.
	 */
	private List<RecordingHandler> threeStreamsMeetAGoAway(int maxConcurrent, boolean drop) throws Exception {
		int port = this.servers.start((index) -> new GoAwayServer(index == 0, maxConcurrent, drop, this.served));
		SecureStreams streams = start(port, List.of("a", "b", "c"));
		List<RecordingHandler> handlers = new ArrayList<>();
		for (String name : List.of("a", "b", "c")) {
			RecordingHandler handler = new RecordingHandler();
			handlers.add(handler);
			streams.create(name, handler).requestTx();
		}
		for (RecordingHandler handler : handlers) {
			// Without the move, a stream fails (and, without retries, gives up) instead.
			Awaitility.await().atMost(WAIT).until(() -> handler.states.contains(StreamState.DISCONNECTED)
					|| handler.states.contains(StreamState.ALL_RETRIES_FAILED));
		}
		this.resources.guard().assertNoViolations();
		return handlers;
	}

	// Opportunistic GET streamtypes without a retry policy, so any failed attempt is final.
	private SecureStreams start(int port, List<String> names) {
		PolicyFragment fragment = TestPolicies.base();
		for (String name : names) {
			TestPolicies.h1(fragment.streamType(name), "127.0.0.1", port, "GET", "/" + name)
				.set(StreamTypeKey.PROTOCOL, Protocol.H2)
				.set(StreamTypeKey.RETRY, null);
		}
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
	}

	/**
	 * Speaks h2 one frame at a time. The first connection waits for three requests (or as many as
	 * its concurrency limit lets through), sends GOAWAY covering only the first, then answers it
	 * or closes; later connections answer each request at once.
	 */
	private static final class GoAwayServer extends FrameByFrameH2Server {

		private final boolean goAway;

		private final List<String> served;

		private final List<Integer> pending = new ArrayList<>();

		private final List<String> paths = new ArrayList<>();

		private final int maxConcurrent;

		private final boolean drop;

		GoAwayServer(boolean goAway, int maxConcurrent, boolean drop, List<String> served) {
			this.goAway = goAway;
			this.maxConcurrent = maxConcurrent;
			this.drop = drop;
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
			this.paths.add(String.valueOf(headers.path()));
			if (this.pending.size() == ((this.maxConcurrent > 0) ? this.maxConcurrent : 3)) {
				writer().writeGoAway(ctx, this.pending.get(0), Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER,
						ctx.newPromise());
				ctx.flush();
				if (this.drop) {
					this.served.add("dropped " + this.paths.get(0));
					ctx.close();
					return;
				}
				this.served.add(this.paths.get(0));
				ctx.executor().schedule(() -> answerHello(ctx, this.pending.get(0)), 100, TimeUnit.MILLISECONDS);
			}
		}

	}

}
