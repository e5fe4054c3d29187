package io.securestreams.protocol.h2;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.StreamBufferingEncoder;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of one h2 stream's pipeline, after the codec that turns the stream's frames
 * into Netty's version-neutral http objects: feeds them to the {@link H2Exchange} and releases
 * every message it reads. It also tells the exchange when the server did not process the request
 * (RFC 9113 sections 6.8 and 8.7), from what Netty reports: a GOAWAY that left the stream out,
 * which the multiplexer passes to each such stream as a user event; RST_STREAM with
 * REFUSED_STREAM; and, for a stream still waiting for a concurrency slot when the GOAWAY came (so
 * never sent, and not active for the multiplexer), the failure of its HEADERS write.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H2StreamHandler extends ChannelDuplexHandler {

	private static final Logger logger = LoggerFactory.getLogger(H2StreamHandler.class);

	private final H2Exchange exchange;

	private final @Nullable ManualRxWindow rxWindow;

	// Whether the final (non-1xx) response head arrived; body data may only follow it.
	private boolean finalHeadRead;

	/**
	 * Creates the handler of one h2 stream.
	 * @param exchange the exchange the stream carries
	 * @param rxWindow the stream's manual rx flow control, or {@code null} for automatic
	 */
	H2StreamHandler(H2Exchange exchange, @Nullable ManualRxWindow rxWindow) {
		this.exchange = exchange;
		this.rxWindow = rxWindow;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		ChannelPipeline pipeline = ctx.pipeline();
		pipeline.addBefore(ctx.name(), "h2-http", new Http2StreamFrameToHttpObjectCodec(false));
		if (this.rxWindow != null) {
			// Sees the frames themselves: DATA with its padding, and the HEADERS that open the stream.
			pipeline.addBefore("h2-http", "h2-rx-window", this.rxWindow);
		}
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		try {
			if (!(msg instanceof HttpObject object)) {
				return;
			}
			if (object.decoderResult().isFailure()) {
				logger.warn("malformed h2 response from {}: {}", ctx.channel().parent().remoteAddress(),
						object.decoderResult().cause().getMessage());
				ctx.close();
				return;
			}
			if (msg instanceof HttpResponse response) {
				this.finalHeadRead |= response.status().codeClass() != HttpStatusClass.INFORMATIONAL;
				this.exchange.onResponse(ctx.channel(), response);
			}
			else if (!this.finalHeadRead) {
				// DATA before the response HEADERS (RFC 9113 8.1): nothing to deliver it as.
				logger.warn("malformed h2 response from {}: DATA before the response HEADERS on stream {}",
						ctx.channel().parent().remoteAddress(), ((Http2StreamChannel) ctx.channel()).stream().id());
				ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR));
				ctx.close();
				return;
			}
			if (msg instanceof HttpContent content) {
				this.exchange.onContent(ctx.channel(), content);
			}
		}
		finally {
			ReferenceCountUtil.release(msg);
		}
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
		// The multiplexer passes RST_STREAM as a user event (it is not flow-controlled), not as a read.
		if (evt instanceof Http2ResetFrame reset) {
			logger.debug("h2 stream {} was reset by the server (error {})", ctx.channel(), reset.errorCode());
			if (reset.errorCode() == Http2Error.REFUSED_STREAM.code()) {
				this.exchange.notProcessed(ctx.channel(), "RST_STREAM REFUSED_STREAM");
			}
			return;
		}
		if (evt instanceof Http2GoAwayFrame goAway) {
			// The multiplexer sends each stream above the last stream id its own retained copy.
			try {
				this.exchange.notProcessed(ctx.channel(), "GOAWAY with last stream id " + goAway.lastStreamId());
			}
			finally {
				goAway.release();
			}
			return;
		}
		ctx.fireUserEventTriggered(evt);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		if (!(msg instanceof HttpRequest)) {
			ctx.write(msg, promise);
			return;
		}
		// The request head opens the h2 stream. Netty fails it with a GOAWAY exception when the
		// stream still waited for a slot under the server's concurrency limit as the GOAWAY came.
		ChannelPromise head = promise.unvoid();
		head.addListener((f) -> {
			if (!f.isSuccess() && goneAway(f.cause())) {
				this.exchange.notProcessed(ctx.channel(), "GOAWAY before the request was sent");
			}
			else if (!f.isSuccess() && Http2CodecUtil.getEmbeddedHttp2Exception(f.cause()) != null) {
				// The codec refused the request itself (a header list beyond the server's
				// SETTINGS_MAX_HEADER_LIST_SIZE): the stream closes and the attempt fails.
				this.exchange.requestRefused(ctx.channel(), f.cause());
			}
		});
		// Under the server's concurrency limit it may wait for a slot, and is not timed meanwhile.
		this.exchange.requestHeadPending(ctx.channel(), head);
		ctx.write(msg, head);
	}

	private static boolean goneAway(Throwable cause) {
		for (Throwable c = cause; c != null; c = c.getCause()) {
			if (c instanceof StreamBufferingEncoder.Http2GoAwayException) {
				return true;
			}
		}
		return false;
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		if (ctx.channel().isWritable()) {
			this.exchange.onWritable(ctx.channel());
		}
		ctx.fireChannelWritabilityChanged();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		this.exchange.onStreamClosed(ctx.channel());
		ctx.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		logger.debug("h2 stream {} failed: {}", ctx.channel(), cause.toString());
		// The multiplexer hands a stream its own error unwrapped.
		if (cause instanceof Http2Exception.StreamException streamError && ctx.channel().isActive()) {
			// The codec's own checks (a connection-specific or upper-case field, more DATA than the
			// window or the content-length): without this line the stream would only hear that
			// its connection ended before it was connected.
			logger.warn("h2 server {} broke the protocol on stream {}: {} ({}); resetting the stream",
					ctx.channel().parent().remoteAddress(), streamError.streamId(), streamError.getMessage(),
					streamError.error());
			// Tell the server why (RFC 9113 section 5.4.2); closing alone would say CANCEL. The
			// close follows at once, so frames already read for the stream are not delivered.
			ctx.writeAndFlush(new DefaultHttp2ResetFrame(streamError.error()));
		}
		else if (cause instanceof DecoderException && ctx.channel().isActive()) {
			// The response head could not be read as http (an invalid or missing :status): a
			// malformed response, a stream error of type PROTOCOL_ERROR (RFC 9113 section 8.1.1).
			Throwable reason = (cause.getCause() != null) ? cause.getCause() : cause;
			logger.warn("malformed h2 response from {} on stream {}: {}", ctx.channel().parent().remoteAddress(),
					((Http2StreamChannel) ctx.channel()).stream().id(), reason.getMessage());
			ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR));
		}
		ctx.close();
	}

}
