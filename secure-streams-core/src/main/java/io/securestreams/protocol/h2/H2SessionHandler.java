package io.securestreams.protocol.h2;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits between the h2 frame codec and the stream multiplexer of a connection: every frame read is
 * proof that the connection is alive, a GOAWAY retires the session, and the connection's end or
 * failure reaches it. Frames go on to the multiplexer unchanged.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H2SessionHandler extends ChannelInboundHandlerAdapter {

	/**
	 * The connection's receive window. Each stream keeps h2's default window of 65535 bytes, but
	 * the connection's window must be much larger: a stream whose rx is paused holds its unread
	 * bytes against both windows, so with equal windows one paused stream would stop every other
	 * stream on the connection. What a paused stream holds stays bounded by its own window of
	 * 64 KiB: only a proxy's onward streams are paused, and one with a client's credit offers no
	 * more at a time either ({@link ManualRxWindow}).
	 */
	static final int CONNECTION_WINDOW = 16 * 1024 * 1024;

	private static final Logger logger = LoggerFactory.getLogger(H2SessionHandler.class);

	private final H2Session session;

	private H2SessionHandler(H2Session session) {
		this.session = session;
	}

	/**
	 * Adds the h2 codec, this handler and the multiplexer to a new connection's pipeline. Server
	 * push is switched off in the client's settings, and any stream the server opens anyway is
	 * closed at once.
	 * @param pipeline the pipeline, after any proxy and TLS handlers
	 * @param session the session the connection belongs to
	 * @param maxHeaderListSize the largest response header list accepted
	 * ({@link io.securestreams.ProtocolLimits#maxHttpHeaderSize()}, as for h1 responses)
	 */
	static void addTo(ChannelPipeline pipeline, H2Session session, int maxHeaderListSize) {
		Http2Settings settings = Http2Settings.defaultSettings().pushEnabled(false)
			.maxHeaderListSize(maxHeaderListSize);
		// Streams beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS wait for a free slot instead
		// of being refused.
		Http2FrameCodecBuilder codec = session.key().txCreditQuirk() ? TxCreditQuirk.clientCodec()
				: Http2FrameCodecBuilder.forClient();
		Http2FrameCodec built = codec.initialSettings(settings).encoderEnforceMaxConcurrentStreams(true).build();
		built.connection().addListener(new Http2ConnectionAdapter() {
			@Override
			public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
				goAwaySent(session, errorCode, debugData);
			}
		});
		pipeline.addLast("h2", built)
			.addLast("h2-session", new H2SessionHandler(session))
			.addLast("h2-streams", new Http2MultiplexHandler(RefusePushedStreams.INSTANCE));
	}

	/**
	 * Logs why the client cut the server off. Every connection error the codec finds (a frame or
	 * setting the protocol forbids, a header block beyond the limit) ends in a GOAWAY with the
	 * error's code and message; without this line the streams would only learn that the
	 * connection ended, and the reason would be at DEBUG.
	 * @param session the session of the connection
	 * @param errorCode the GOAWAY's error code
	 * @param debugData the GOAWAY's debug data: the error's message
	 */
	private static void goAwaySent(H2Session session, long errorCode, ByteBuf debugData) {
		if (errorCode == Http2Error.NO_ERROR.code()) {
			// A graceful close: idle, or the context stopping.
			return;
		}
		Http2Error error = Http2Error.valueOf(errorCode);
		logger.warn("h2 server {} broke the protocol: {} ({}); closing the connection", session.description(),
				debugData.toString(StandardCharsets.UTF_8), (error != null) ? error : errorCode);
	}

	/**
	 * Returns an h2 stream's own send window (the connection's window is not taken into account,
	 * as libwebsockets reports a stream's credit).
	 * @param stream the stream's channel, on its event loop
	 * @return the bytes, or -1 when the stream is no longer known to its connection
	 */
	static int sendWindow(Http2StreamChannel stream) {
		Http2FrameCodec codec = stream.parent().pipeline().get(Http2FrameCodec.class);
		Http2Stream known = (codec != null) ? codec.connection().stream(stream.stream().id()) : null;
		if (known == null) {
			return -1;
		}
		return codec.connection().remote().flowController().windowSize(known);
	}

	/**
	 * Returns whether the connection of an h2 stream has streams under way (open or half-closed),
	 * the stream itself left out while it waits for a slot under the server's concurrency limit.
	 * @param stream the stream's channel, on its event loop
	 * @return {@code true} when some stream may still end and free a slot
	 */
	static boolean hasActiveStreams(Http2StreamChannel stream) {
		Http2FrameCodec codec = stream.parent().pipeline().get(Http2FrameCodec.class);
		return codec != null && codec.connection().numActiveStreams() > 0;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		this.session.confirmed();
		if (msg instanceof Http2SettingsFrame) {
			this.session.settingsReceived();
		}
		if (msg instanceof Http2GoAwayFrame goAway) {
			this.session.goAway(goAway.lastStreamId(), goAway.errorCode(), goAway.content());
		}
		ctx.fireChannelRead(msg);
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		// The codec has written its preface and SETTINGS on the way here; the update follows them.
		ctx.fireChannelActive();
		ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		this.session.closed();
		ctx.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (cause instanceof Http2FrameStreamException) {
			// One stream's error (for example a flow-control overflow on it): the multiplexer hands
			// it to that stream, and the connection's other streams carry on.
			ctx.fireExceptionCaught(cause);
			return;
		}
		logger.debug("h2 connection to {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
		if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
			// A connection error the codec reports before acting on it: it sends GOAWAY with the
			// error's code and closes. Closing here first would send GOAWAY NO_ERROR instead.
			return;
		}
		ctx.close();
	}

	/** Closes streams the server opens (push is refused in the settings, so none should come). */
	@ChannelHandler.Sharable
	private static final class RefusePushedStreams extends ChannelInboundHandlerAdapter {

		static final RefusePushedStreams INSTANCE = new RefusePushedStreams();

		@Override
		public void channelActive(ChannelHandlerContext ctx) {
			ctx.close();
		}

	}

}
