package io.securestreams.server.h2;

import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * Makes an h2 stream channel a byte stream for the codec above it (after an extended CONNECT,
 * RFC 8441): the content of received DATA frames goes on as bytes and bytes written become DATA
 * frames. Flow control stays Netty's: the stream channel returns window as the bytes are read,
 * and its writability follows the peer's window.
 * <p>
 * Closing the channel ends the stream with an empty DATA frame with END_STREAM instead of the
 * RST_STREAM an h2 stream channel sends when closed while open: the stream then closes once the
 * peer ends its side, or is reset after {@link #LINGER_MILLIS} if the peer never does. When the
 * peer ends its side first, the channel is closed, which ends ours (a byte stream whose input
 * has ended carries nothing more).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class DataFrameBridge extends ChannelDuplexHandler {

	/** How long an ended stream waits for the peer to end its side before it is reset. */
	static final long LINGER_MILLIS = 2000;

	private boolean inputEnded;

	private boolean outputEnded;

	private @Nullable ScheduledFuture<?> linger;

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		boolean end;
		if (msg instanceof Http2DataFrame data) {
			end = data.isEndStream();
			ByteBuf content = data.content();
			if (content.isReadable()) {
				ctx.fireChannelRead(content.retain());
			}
			data.release();
		}
		else {
			// HEADERS (trailers) and other stream frames carry nothing for the byte stream, but
			// trailers with END_STREAM end the peer's side as an empty DATA frame would.
			end = msg instanceof Http2HeadersFrame trailers && trailers.isEndStream();
			ReferenceCountUtil.release(msg);
		}
		if (end) {
			this.inputEnded = true;
			if (!this.outputEnded) {
				// After what the last frame carried has been handled.
				ctx.executor().execute(() -> ctx.channel().close());
			}
		}
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		if (msg instanceof ByteBuf bytes) {
			if (this.outputEnded) {
				bytes.release();
				promise.setFailure(new IllegalStateException("the h2 stream has ended"));
				return;
			}
			ctx.write(new DefaultHttp2DataFrame(bytes, false), promise);
		}
		else {
			ctx.write(msg, promise);
		}
	}

	@Override
	public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
		if (this.inputEnded || !ctx.channel().isActive()) {
			// Both sides have ended: Netty closes a stream channel whose input ended without a reset.
			endOutput(ctx);
			cancelLinger();
			ctx.close(promise);
			return;
		}
		if (!this.outputEnded) {
			endOutput(ctx);
			this.linger = ctx.executor().schedule(() -> {
				this.linger = null;
				ctx.close();
			}, LINGER_MILLIS, TimeUnit.MILLISECONDS);
		}
		ctx.channel().closeFuture().addListener((closed) -> promise.trySuccess());
	}

	private void endOutput(ChannelHandlerContext ctx) {
		if (!this.outputEnded && ctx.channel().isActive()) {
			this.outputEnded = true;
			ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true));
		}
	}

	private void cancelLinger() {
		ScheduledFuture<?> pending = this.linger;
		if (pending != null) {
			pending.cancel(false);
			this.linger = null;
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		cancelLinger();
		ctx.fireChannelInactive();
	}

}
