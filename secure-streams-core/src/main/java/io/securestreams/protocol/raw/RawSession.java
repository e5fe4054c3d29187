package io.securestreams.protocol.raw;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.securestreams.protocol.StreamLink;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.protocol.TxResult;
import io.securestreams.protocol.validity.ValidityTimer;
import io.securestreams.tls.TlsContexts;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connected raw byte stream, client or server side: every read is delivered as it came with
 * flags 0, and each {@code requestTx} gives the application one {@code onTx} call whose bytes
 * are written as they are (flags are ignored; call {@code requestTx} again to send more).
 * <p>
 * Connection validity as libwebsockets has it for raw (reference 5.4): raw has no keepalive, so
 * {@code svalidping} does nothing, but with {@code svalidhup} set in the stream's retry policy
 * the connection is closed that many seconds after the last proof of life. The connection's
 * start is proof, and so is the application's {@code validityConfirmed()}; received bytes are
 * not, since only the application knows what they prove. Without a retry policy, or with
 * {@code svalidhup} 0, there is no check (libwebsockets' context defaults are for the bindings
 * that ping).
 * <p>
 * A peer that ends its sending (a half-close: {@code shutdownOutput}, or a TLS 1.3 close_notify)
 * does not cut off what this side still sends: the connection stays open while the application
 * has a {@code requestTx} outstanding, and closes once the bytes written so far have gone out.
 * After a TLS 1.2 close_notify nothing more can be sent (RFC 5246 section 7.2.1).
 * <p>
 * A close this side decides (the application's DISCONNECT_ME or {@code destroy()}, the end after
 * a half-close) first sends what was written, ignoring input meanwhile, and closes at most
 * {@link #FLUSH_LIMIT} later, as libwebsockets does.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class RawSession extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(RawSession.class);

	/** Capacity of the buffer one {@code onTx} call may fill. */
	static final int TX_CAPACITY = 16 * 1024;

	/** How long a closing connection waits for the peer to take what was written (libwebsockets' 5 s). */
	static final Duration FLUSH_LIMIT = Duration.ofSeconds(5);

	private final StreamLink link;

	private final Runnable onClosed;

	private @Nullable Channel channel;

	private @Nullable ValidityTimer validity;

	// The peer ended its sending (plain connections only): close once nothing more is asked for.
	private boolean inputEnded;

	// Set once the connection is to close: what was written goes out first, input is ignored.
	private boolean closing;

	// Closes the connection when the peer does not take what is left in time; cancelled on close.
	private @Nullable ScheduledFuture<?> flushLimit;

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
		// Without it Netty closes the channel when the peer half-closes, discarding what is still
		// queued for writing and every answer the application has yet to give (a request sent
		// with `nc -N` or socat got no reply at all).
		ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
	}

	/**
	 * The application asked to send: calls {@code onTx} while it keeps asking and the channel
	 * takes more.
	 */
	public void requestWrite() {
		Channel ch = this.channel;
		boolean wrote = false;
		while (ch != null && !this.closing && ch.isActive() && ch.isWritable() && this.link.txRequested()) {
			ByteBuf buffer = ch.alloc().ioBuffer(TX_CAPACITY, TX_CAPACITY);
			TxResult result = this.link.tx(buffer);
			if (!result.send() || !buffer.isReadable()) {
				// Nothing to write: a request made in that onTx comes back as a task of its own, so
				// an application that keeps answering "nothing yet" cannot hold the event loop.
				buffer.release();
				break;
			}
			// A write that fails ends the connection: after a TLS 1.2 close_notify the engine drops
			// every piece without a transport error, and the stream stayed CONNECTED, its handler
			// giving bytes no one received for as long as it kept asking.
			ch.write(buffer).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
			wrote = true;
		}
		if (wrote) {
			ch.flush();
		}
		closeIfInputEndedAndDone();
	}

	// After the peer's half-close, the connection lives only for what the application still sends.
	private void closeIfInputEndedAndDone() {
		if (this.inputEnded && !this.link.txRequested()) {
			closeAfterFlush();
		}
	}

	/**
	 * Closes the connection once what was written before has gone out, as libwebsockets does
	 * (LRS_FLUSHING_BEFORE_CLOSE): Netty's close alone fails the writes still queued, so the tail
	 * of what the application handed over was lost to a peer that reads slowly. Input is ignored
	 * meanwhile, and a peer that takes nothing for {@link #FLUSH_LIMIT} loses the rest.
	 */
	private void closeAfterFlush() {
		Channel ch = this.channel;
		if (ch == null || this.closing) {
			return;
		}
		this.closing = true;
		if (this.validity != null) {
			// The flush has its own limit; a hang-up now would cut it short.
			this.validity.stop();
		}
		if (!ch.isActive()) {
			ch.close();
			return;
		}
		this.flushLimit = ch.eventLoop().schedule(() -> flushTimedOut(ch), FLUSH_LIMIT.toMillis(),
				TimeUnit.MILLISECONDS);
		// The empty write completes after every write before it, and the close follows it.
		ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
	}

	private void flushTimedOut(Channel ch) {
		ChannelOutboundBuffer queued = ch.unsafe().outboundBuffer();
		long left = (queued != null) ? queued.totalPendingWriteBytes() : 0;
		logger.info("raw stream '{}': {} did not take what was written before the close within {} s; closing, "
				+ "{} bytes dropped", this.link.policy().name(), ch.remoteAddress(), FLUSH_LIMIT.toSeconds(), left);
		ch.close();
	}

	/**
	 * Starts the validity check once the connection is usable (CONNECTED), when the retry policy
	 * sets {@code svalidhup}; the start counts as proof of life.
	 */
	public void startValidity() {
		Channel ch = this.channel;
		RetryPolicy retry = this.link.retryPolicy();
		if (ch == null || retry == null || retry.validHangupSeconds() == 0 || this.validity != null) {
			return;
		}
		// No keepalive to send: only the hang-up timer runs.
		ValidityTimer timer = new ValidityTimer(ch.eventLoop(), Duration.ZERO,
				Duration.ofSeconds(retry.validHangupSeconds()), () -> { }, this::validityExpired);
		this.validity = timer;
		timer.start();
	}

	/**
	 * The application confirmed the connection is alive: the hang-up is counted from now.
	 */
	public void validityConfirmed() {
		if (this.validity != null) {
			this.validity.confirmed();
		}
	}

	private void validityExpired() {
		Channel ch = this.channel;
		if (ch != null && ch.isActive()) {
			logger.info("raw stream '{}': validity timeout, no proof that {} is alive within svalidhup"
					+ " (call validityConfirmed() when the peer proves it); closing", this.link.policy().name(),
					ch.remoteAddress());
			ch.close();
		}
	}

	/**
	 * Closes the connection once the bytes written so far have gone out (at most
	 * {@link #FLUSH_LIMIT} later); input arriving meanwhile is ignored.
	 */
	public void close() {
		closeAfterFlush();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		try {
			if (!this.closing && msg instanceof ByteBuf data && data.isReadable()) {
				this.link.rx(data, 0);
			}
		}
		finally {
			ReferenceCountUtil.release(msg);
		}
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
		if (evt instanceof ChannelInputShutdownEvent) {
			// Over TLS too: TLS 1.3 lets a peer close its side only (RFC 8446 section 6.1); after a
			// TLS 1.2 close_notify the engine refuses to write, and that failure closes the channel.
			this.inputEnded = true;
			closeIfInputEndedAndDone();
		}
		ctx.fireUserEventTriggered(evt);
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
		if (this.validity != null) {
			this.validity.stop();
		}
		if (this.flushLimit != null) {
			// Else the timer would hold the closed channel until it ran.
			this.flushLimit.cancel(false);
		}
		this.onClosed.run();
		ctx.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		SSLException tls = TlsContexts.failureAfterHandshake(ctx.pipeline(), cause);
		if (tls != null) {
			// A TLS alert after the handshake (a server rejecting our client certificate with TLS
			// 1.3): the stream only sees a disconnection, so the reason is logged where it is known.
			logger.info("raw stream '{}': connection with {} failed: TLS: {}", this.link.policy().name(),
					ctx.channel().remoteAddress(), tls.getMessage());
		}
		else {
			logger.debug("raw stream '{}': connection with {} failed: {}", this.link.policy().name(),
					ctx.channel().remoteAddress(), cause.toString());
		}
		ctx.close();
	}

}
