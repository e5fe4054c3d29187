package io.securestreams.protocol.raw;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.securestreams.protocol.StreamLink;
import io.securestreams.protocol.TxResult;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connected raw byte stream, client or server side: every read is delivered as it came with
 * flags 0, and each {@code requestTx} gives the application one {@code onTx} call whose bytes
 * are written as they are (flags are ignored; call {@code requestTx} again to send more).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class RawSession extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(RawSession.class);

	/** Capacity of the buffer one {@code onTx} call may fill. */
	static final int TX_CAPACITY = 16 * 1024;

	private final StreamLink link;

	private final Runnable onClosed;

	private @Nullable Channel channel;

	/**
	 * Creates a session.
	 * @param link the stream the connection carries
	 * @param onClosed called once when the connection has closed
	 */
	public RawSession(StreamLink link, Runnable onClosed) {
		this.link = link;
		this.onClosed = onClosed;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.channel = ctx.channel();
	}

	/**
	 * The application asked to send: calls {@code onTx} while it keeps asking and the channel
	 * takes more.
	 */
	public void requestWrite() {
		Channel ch = this.channel;
		boolean wrote = false;
		while (ch != null && ch.isActive() && ch.isWritable() && this.link.txRequested()) {
			ByteBuf buffer = ch.alloc().ioBuffer(TX_CAPACITY, TX_CAPACITY);
			TxResult result = this.link.tx(buffer);
			if (!result.send() || !buffer.isReadable()) {
				buffer.release();
				if (!result.send()) {
					break;
				}
				continue;
			}
			ch.write(buffer);
			wrote = true;
		}
		if (wrote) {
			ch.flush();
		}
	}

	/**
	 * Closes the connection.
	 */
	public void close() {
		Channel ch = this.channel;
		if (ch != null) {
			ch.close();
		}
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		try {
			if (msg instanceof ByteBuf data && data.isReadable()) {
				this.link.rx(data, 0);
			}
		}
		finally {
			ReferenceCountUtil.release(msg);
		}
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		if (ctx.channel().isWritable()) {
			requestWrite();
		}
		ctx.fireChannelWritabilityChanged();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		this.onClosed.run();
		ctx.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		logger.debug("raw stream '{}': connection with {} failed: {}", this.link.policy().name(),
				ctx.channel().remoteAddress(), cause.toString());
		ctx.close();
	}

}
