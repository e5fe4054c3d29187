package io.securestreams.server.h2;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.securestreams.server.ServerProtocol;
import io.securestreams.server.StreamAcceptor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells h2 with prior knowledge from http/1.1 on a connection in the clear by its first bytes:
 * the h2 connection preface, or anything else. It reads no more than the preface, hands the
 * bytes on to the chosen binding and removes itself. A client that has not said enough to tell
 * within the handshake timeout is cut off.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class PrefaceSniffer extends ByteToMessageDecoder {

	private static final Logger logger = LoggerFactory.getLogger(PrefaceSniffer.class);

	private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

	private final H2ServerProtocol h2;

	private final ServerProtocol http1;

	private final StreamAcceptor acceptor;

	private @Nullable Future<?> timeout;

	PrefaceSniffer(H2ServerProtocol h2, ServerProtocol http1, StreamAcceptor acceptor) {
		this.h2 = h2;
		this.http1 = http1;
		this.acceptor = acceptor;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		long millis = this.acceptor.limits().handshakeTimeout().toMillis();
		this.timeout = ctx.executor().schedule(() -> {
			if (!ctx.isRemoved()) {
				logger.warn("{}: cutting off the connection: no request within {} ms (slow client)",
						this.acceptor.describe(ctx.channel()), millis);
				ctx.close();
			}
		}, millis, TimeUnit.MILLISECONDS);
	}

	@Override
	protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
		int seen = Math.min(in.readableBytes(), PREFACE.length);
		for (int i = 0; i < seen; i++) {
			if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
				choose(ctx, false);
				return;
			}
		}
		if (seen == PREFACE.length) {
			choose(ctx, true);
		}
	}

	private void choose(ChannelHandlerContext ctx, boolean h2) {
		cancelTimeout();
		if (h2) {
			this.h2.serve(ctx.channel(), this.acceptor);
		}
		else {
			this.acceptor.accept(ctx.channel(), this.http1, true);
		}
		// Removing the decoder passes the bytes read so far on to the binding.
		ctx.pipeline().remove(this);
	}

	@Override
	protected void handlerRemoved0(ChannelHandlerContext ctx) {
		cancelTimeout();
	}

	private void cancelTimeout() {
		Future<?> pending = this.timeout;
		if (pending != null) {
			pending.cancel(false);
			this.timeout = null;
		}
	}

}
