package io.securestreams.protocol.h2;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.FrameByFrameH2Server;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * h2 servers written frame by frame that answer a request ({@code /bad}) in ways a conforming
 * server never does. Requests for {@code /good} on the same connection get "hello". The bad
 * transaction ends without a result and in legal states; a stream error leaves the connection
 * serving the good one.
 */
class H2HostileServerTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final LogCapture logs = this.resources.closing(new LogCapture());

	private EventLoopGroup group;

	private final List<Long> errorsReceived = new CopyOnWriteArrayList<>();

	private final AtomicInteger connectionsAccepted = new AtomicInteger();

	@BeforeEach
	void startGroup() {
		this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
	}

	@AfterEach
	void stopGroup() throws Exception {
		this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
	}

	@Test
	void anInvalidStatusIsAStreamError() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			w.writeHeaders(ctx, id, new DefaultHttp2Headers().status("2x0"), 0, false, ctx.newPromise());
			w.writeData(ctx, id, ascii("hello"), 0, true, ctx.newPromise());
			ctx.flush();
		});
		assertThat(bad.received()).isEmpty();
		assertThat(bad.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
		assertThat(this.errorsReceived).containsExactly(Http2Error.PROTOCOL_ERROR.code());
		assertThat(this.logs.contains("malformed h2 response from")).as(this.logs.messages().toString()).isTrue();
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void aMissingStatusIsAStreamError() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			w.writeHeaders(ctx, id, new DefaultHttp2Headers().add("x-a", "b"), 0, false, ctx.newPromise());
			w.writeData(ctx, id, ascii("hello"), 0, true, ctx.newPromise());
			ctx.flush();
		});
		assertThat(bad.received()).isEmpty();
		assertThat(bad.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
		assertThat(this.errorsReceived).containsExactly(Http2Error.PROTOCOL_ERROR.code());
		assertThat(this.logs.contains("malformed h2 response from")).as(this.logs.messages().toString()).isTrue();
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void dataBeforeTheResponseHeadersIsNotDeliveredAsABody() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			w.writeData(ctx, id, ascii("hello"), 0, true, ctx.newPromise());
			ctx.flush();
		});
		assertThat(bad.received()).isEmpty();
		assertThat(bad.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
		assertThat(this.errorsReceived).contains(Http2Error.PROTOCOL_ERROR.code());
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void dataAfterAnInterimResponseButBeforeTheFinalHeadersIsNotDeliveredAsABody() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			w.writeHeaders(ctx, id, new DefaultHttp2Headers().status("103"), 0, false, ctx.newPromise());
			w.writeData(ctx, id, ascii("hello"), 0, true, ctx.newPromise());
			ctx.flush();
		});
		assertThat(bad.received()).isEmpty();
		assertThat(bad.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void dataBeyondTheStreamWindowResetsTheStream() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			w.writeHeaders(ctx, id, new DefaultHttp2Headers().status("200"), 0, false, ctx.newPromise());
			for (int i = 0; i < 5; i++) {
				w.writeData(ctx, id, Unpooled.wrappedBuffer(new byte[16384]), 0, false, ctx.newPromise());
			}
			w.writeData(ctx, id, ascii("x"), 0, true, ctx.newPromise());
			ctx.flush();
		});
		assertThat(bad.states).doesNotContain(StreamState.QOS_ACK_REMOTE, StreamState.QOS_NACK_REMOTE);
		assertThat(this.errorsReceived).contains(Http2Error.FLOW_CONTROL_ERROR.code());
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void aResetMidBodyEndsTheTransactionWithoutAResult() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			w.writeHeaders(ctx, id, new DefaultHttp2Headers().status("200").setInt("content-length", 10), 0,
					false, ctx.newPromise());
			w.writeData(ctx, id, ascii("hello"), 0, false, ctx.newPromise());
			w.writeRstStream(ctx, id, Http2Error.INTERNAL_ERROR.code(), ctx.newPromise());
			ctx.flush();
		});
		assertThat(bad.states).doesNotContain(StreamState.QOS_ACK_REMOTE, StreamState.QOS_NACK_REMOTE);
		assertThat(bad.stateNames()).startsWith("CREATING", "POLL", "CONNECTING", "CONNECTED", "DISCONNECTED");
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void aBodyShorterThanItsContentLengthEndsWithoutAResult() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			w.writeHeaders(ctx, id, new DefaultHttp2Headers().status("200").setInt("content-length", 10), 0, false,
					ctx.newPromise());
			w.writeData(ctx, id, ascii("hello"), 0, true, ctx.newPromise());
			ctx.flush();
		});
		assertThat(bad.states).doesNotContain(StreamState.QOS_ACK_REMOTE, StreamState.QOS_NACK_REMOTE);
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void aBodyLongerThanItsContentLengthEndsWithoutAResult() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			w.writeHeaders(ctx, id, new DefaultHttp2Headers().status("200").setInt("content-length", 2), 0, false,
					ctx.newPromise());
			w.writeData(ctx, id, ascii("hello"), 0, true, ctx.newPromise());
			ctx.flush();
		});
		assertThat(bad.states).doesNotContain(StreamState.QOS_ACK_REMOTE, StreamState.QOS_NACK_REMOTE);
		assertThat(bad.received().length).isLessThanOrEqualTo(2);
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void aSecondResponseHeadIsAStreamError() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			w.writeHeaders(ctx, id, new DefaultHttp2Headers().status("200"), 0, false, ctx.newPromise());
			w.writeHeaders(ctx, id, new DefaultHttp2Headers().status("404"), 0, false, ctx.newPromise());
			w.writeData(ctx, id, ascii("hello"), 0, true, ctx.newPromise());
			ctx.flush();
		});
		assertThat(bad.states).doesNotContain(StreamState.QOS_ACK_REMOTE, StreamState.QOS_NACK_REMOTE);
		assertThat(bad.received()).isEmpty();
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void aContinuationFloodFailsTheConnection() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			// HEADERS without END_HEADERS, then CONTINUATIONs far beyond the header list limit.
			w.writeFrame(ctx, (byte) 0x1, id, new Http2Flags(), filler(1000), ctx.newPromise());
			for (int i = 0; i < 200; i++) {
				w.writeFrame(ctx, (byte) 0x9, id, new Http2Flags(), filler(1000), ctx.newPromise());
			}
			ctx.flush();
		});
		assertThat(bad.received()).isEmpty();
		assertThat(bad.states).doesNotContain(StreamState.QOS_ACK_REMOTE, StreamState.QOS_NACK_REMOTE);
	}

	@Test
	void anInvalidSettingsValueFailsTheConnection() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			ByteBuf settings = Unpooled.buffer(6);
			// SETTINGS_ENABLE_PUSH = 2 (only 0 and 1 are allowed).
			settings.writeShort(0x2).writeInt(2);
			w.writeFrame(ctx, (byte) 0x4, 0, new Http2Flags(), settings, ctx.newPromise());
			ctx.flush();
		});
		assertThat(bad.received()).isEmpty();
		assertThat(this.errorsReceived).contains(Http2Error.PROTOCOL_ERROR.code());
	}

	private static ByteBuf filler(int length) {
		return Unpooled.wrappedBuffer(new byte[length]);
	}

	private static ByteBuf ascii(String text) {
		return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
	}

	private SecureStreams streams;

	private RecordingHandler runBad(Answer answer) throws Exception {
		Channel server = new ServerBootstrap().group(this.group)
			.channel(NioServerSocketChannel.class)
			.childHandler(new ChannelInitializer<Channel>() {
				@Override
				protected void initChannel(Channel ch) {
					H2HostileServerTests.this.connectionsAccepted.incrementAndGet();
					ch.pipeline().addLast(new HostileServer(answer, H2HostileServerTests.this.errorsReceived));
				}
			})
			.bind("127.0.0.1", 0)
			.sync()
			.channel();
		int port = ((InetSocketAddress) server.localAddress()).getPort();
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("bad"), "127.0.0.1", port, "GET", "/bad")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2)
			.set(StreamTypeKey.RETRY, null);
		TestPolicies.h1(fragment.streamType("good"), "127.0.0.1", port, "GET", "/good")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2);
		this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		RecordingHandler bad = new RecordingHandler();
		this.streams.create("bad", bad).requestTx();
		Awaitility.await()
			.atMost(WAIT)
			.until(() -> bad.states.contains(StreamState.ALL_RETRIES_FAILED)
					|| bad.states.contains(StreamState.DISCONNECTED));
		return bad;
	}

	private void assertGoodStillServedOnTheSameConnection() {
		RecordingHandler good = new RecordingHandler();
		this.streams.create("good", good).requestTx();
		good.await(StreamState.DISCONNECTED, WAIT);
		assertThat(new String(good.received(), StandardCharsets.US_ASCII)).isEqualTo("hello");
		assertThat(good.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE",
				"DISCONNECTED");
		assertThat(this.connectionsAccepted).as("connections").hasValue(1);
	}

	/** How the server answers {@code /bad}. */
	interface Answer {

		void answer(DefaultHttp2FrameWriter writer, ChannelHandlerContext ctx, int streamId);

	}

	private static final class HostileServer extends FrameByFrameH2Server {

		private final Answer answer;

		private final List<Long> errorsReceived;

		HostileServer(Answer answer, List<Long> errorsReceived) {
			this.answer = answer;
			this.errorsReceived = errorsReceived;
		}

		@Override
		protected Http2Settings settings() {
			return new Http2Settings();
		}

		@Override
		protected void onClientError(long errorCode) {
			this.errorsReceived.add(errorCode);
		}

		@Override
		protected void onRequest(ChannelHandlerContext ctx, int streamId, Http2Headers headers) {
			if ("/good".contentEquals(headers.path())) {
				answerHello(ctx, streamId);
			}
			else {
				this.answer.answer(writer(), ctx, streamId);
			}
		}

	}

}
