package io.securestreams.protocol.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code h2q_oflow_txcr} codec and flow controller on their own: the codec must be the
 * client codec {@code Http2FrameCodecBuilder.forClient()} builds, apart from the flow
 * controller, and the flow controller must only differ where a window would overflow.
 */
class TxCreditQuirkCodecTests {

	/** One more than the RST_STREAM frames Netty lets a peer send per 30 s to a server. */
	private static final int RESETS = 201;

	@Test
	void withoutTheQuirkManyStreamResetsFromTheServerAreAccepted() throws Exception {
		assertThat(survivesResets(Http2FrameCodecBuilder.forClient())).isTrue();
	}

	@Test
	void withTheQuirkManyStreamResetsFromTheServerAreAcceptedAsWell() throws Exception {
		// Netty's builder treats a codec with a connection of its own as a server's unless told
		// otherwise, and servers get the rapid-reset guard that closes the connection.
		assertThat(survivesResets(TxCreditQuirk.clientCodec())).isTrue();
	}

	@Test
	void aWindowUpdateOnANegativeWindowIsAppliedAsSent() throws Exception {
		DefaultHttp2Connection connection = new DefaultHttp2Connection(false);
		TxCreditQuirk.TolerantFlowController flow = new TxCreditQuirk.TolerantFlowController(connection);
		connection.remote().flowController(flow);
		Http2Stream stream = connection.local().createStream(1, false);
		// What sending 70000 bytes does to the window, as after the server lowered
		// SETTINGS_INITIAL_WINDOW_SIZE below what was in flight (RFC 9113 section 6.9.2).
		flow.incrementWindowSize(stream, -70000);
		assertThat(flow.windowSize(stream)).isEqualTo(65535 - 70000);
		flow.incrementWindowSize(stream, 5000);
		assertThat(flow.windowSize(stream)).isEqualTo(65535 - 70000 + 5000);
	}

	@Test
	void anOverflowingWindowUpdateIsCapped() throws Exception {
		DefaultHttp2Connection connection = new DefaultHttp2Connection(false);
		TxCreditQuirk.TolerantFlowController flow = new TxCreditQuirk.TolerantFlowController(connection);
		connection.remote().flowController(flow);
		Http2Stream stream = connection.local().createStream(1, false);
		flow.incrementWindowSize(stream, Integer.MAX_VALUE - 1000);
		assertThat(flow.windowSize(stream)).isEqualTo(Integer.MAX_VALUE);
	}

	/** Opens streams on a client codec, has the server reset each, and tells whether the connection is still up. */
	private static boolean survivesResets(Http2FrameCodecBuilder builder) {
		Http2FrameCodec codec = builder.initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
			.encoderEnforceMaxConcurrentStreams(true)
			.build();
		Http2ChannelDuplexHandler streams = new Http2ChannelDuplexHandler() {
		};
		EmbeddedChannel channel = new EmbeddedChannel(codec, streams);
		try {
			channel.writeInbound(frame(4, 0, 0, Unpooled.EMPTY_BUFFER));
			for (int i = 0; i < RESETS; i++) {
				Http2FrameStream stream = streams.newStream();
				Http2Headers headers = new DefaultHttp2Headers().method("GET").scheme("https").authority("a").path("/");
				channel.writeOutbound(new DefaultHttp2HeadersFrame(headers, true).stream(stream));
				channel.writeInbound(
						frame(3, 0, stream.id(), Unpooled.buffer(4).writeInt((int) Http2Error.CANCEL.code())));
			}
			channel.runPendingTasks();
			return channel.isOpen();
		}
		catch (RuntimeException ex) {
			// The codec reported a connection error (and closed the connection).
			return false;
		}
		finally {
			channel.finishAndReleaseAll();
		}
	}

	private static ByteBuf frame(int type, int flags, int streamId, ByteBuf payload) {
		ByteBuf frame = Unpooled.buffer(9 + payload.readableBytes());
		frame.writeMedium(payload.readableBytes()).writeByte(type).writeByte(flags).writeInt(streamId);
		frame.writeBytes(payload);
		ReferenceCountUtil.release(payload);
		return frame;
	}

}
