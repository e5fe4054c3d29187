package io.securestreams.server.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty's server frame codec, which also logs the stream errors it answers by itself. A request
 * whose HEADERS break RFC 9113 section 8.2 (a connection-specific field, an upper-case name, a
 * response or unknown pseudo-header) is reset with PROTOCOL_ERROR before its stream exists, so
 * no accepted stream ever hears of it and Netty only logs it at DEBUG; this logs it as the
 * accepted streams log their problems ({@link StreamProblemLog}), saying what was wrong.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ServerFrameCodec extends Http2FrameCodec {

	private static final Logger logger = LoggerFactory.getLogger(ServerFrameCodec.class);

	private final H2ServerConnection connection;

	private ServerFrameCodec(Http2ConnectionEncoder encoder, Http2ConnectionDecoder decoder, Http2Settings settings,
			boolean decoupleCloseAndGoAway, boolean flushPreface, H2ServerConnection connection) {
		super(encoder, decoder, settings, decoupleCloseAndGoAway, flushPreface);
		this.connection = connection;
	}

	/**
	 * Returns a builder for the codec of one server connection, otherwise as
	 * {@code Http2FrameCodecBuilder.forServer()}.
	 * @param connection the connection's handler, whose problem log and name the lines use
	 * @return the builder
	 */
	static Http2FrameCodecBuilder builder(H2ServerConnection connection) {
		return new Builder(connection);
	}

	@Override
	public void onError(ChannelHandlerContext ctx, boolean outbound, Throwable cause) {
		Http2Exception error = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
		// Errors of streams that exist reach the accepted stream, which logs them; frames for a
		// stream already closed (STREAM_CLOSED) are the aftermath of a reset logged before.
		if (!outbound && error instanceof Http2Exception.StreamException streamError
				&& streamError.error() != Http2Error.STREAM_CLOSED
				&& connection().stream(streamError.streamId()) == null) {
			this.connection.streamProblems().problem(logger, "{}: resetting stream {} before its request: {} ({})",
					this.connection.describe(ctx.channel()), streamError.streamId(), streamError.getMessage(),
					streamError.error());
		}
		super.onError(ctx, outbound, cause);
	}

	/** Builds a {@link ServerFrameCodec}. */
	private static final class Builder extends Http2FrameCodecBuilder {

		private final H2ServerConnection connection;

		Builder(H2ServerConnection connection) {
			this.connection = connection;
			// As forServer().
			server(true);
			gracefulShutdownTimeoutMillis(0);
		}

		@Override
		protected Http2FrameCodec build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
				Http2Settings initialSettings) {
			ServerFrameCodec codec = new ServerFrameCodec(encoder, decoder, initialSettings, decoupleCloseAndGoAway(),
					flushPreface(), this.connection);
			codec.gracefulShutdownTimeoutMillis(gracefulShutdownTimeoutMillis());
			return codec;
		}

	}

}
