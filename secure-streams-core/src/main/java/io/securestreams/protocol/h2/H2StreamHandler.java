package io.securestreams.protocol.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of one h2 stream's pipeline, after the codec that turns the stream's frames
 * into Netty's version-neutral http objects: feeds them to the {@link H2Exchange} and releases
 * every message it reads.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H2StreamHandler extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(H2StreamHandler.class);

	private final H2Exchange exchange;

	// Whether the final (non-1xx) response head arrived; body data may only follow it.
	private boolean finalHeadRead;

	H2StreamHandler(H2Exchange exchange) {
		this.exchange = exchange;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		ChannelPipeline pipeline = ctx.pipeline();
		pipeline.addBefore(ctx.name(), "h2-http", new Http2StreamFrameToHttpObjectCodec(false));
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		try {
			if (msg instanceof Http2ResetFrame reset) {
				logger.debug("h2 stream {} was reset by the server (error {})", ctx.channel(), reset.errorCode());
				return;
			}
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
