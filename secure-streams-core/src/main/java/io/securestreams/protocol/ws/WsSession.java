package io.securestreams.protocol.ws;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.StreamFlags;
import io.securestreams.policy.WsSettings;
import io.securestreams.protocol.StreamLink;
import io.securestreams.protocol.validity.ValidityTimer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An established ws connection, on the client after the upgrade handshake and on the server
 * after an upgrade: delivers each received fragment with SOM on the first fragment of a
 * message and EOM on the final one, sends the application's messages through a
 * {@link WsMessageWriter}, answers PINGs, completes the closing handshake (answering the peer's
 * close frame, or waiting a bounded time for the peer's answer to ours) and runs the
 * connection validity check ({@code svalidping}/{@code svalidhup}).
 * <p>
 * Validity follows libwebsockets (reference 5.4, and its ws rx code, which calls
 * {@code lws_validity_confirmed} for a PONG only): the connection counts as alive when it is
 * established, when a PONG arrives and when the application calls
 * {@code validityConfirmed()}. Data frames prove nothing, so a peer that keeps sending but never
 * answers a PING still gets a PING {@code svalidping} seconds after the last proof and is hung
 * up {@code svalidhup} seconds after it.
 * <p>
 * {@code ws_prioritize_reads}, in Netty terms: the channel reads up to 64 messages per read
 * event instead of Netty's 16; tx that comes due while a read batch is being delivered waits
 * until the batch completes ({@code channelReadComplete}); and the writer sends one frame per
 * event-loop task, so input is drained before more output is produced.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class WsSession extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(WsSession.class);

	private static final int PRIORITIZED_READS_PER_EVENT = 64;

	/** How long a closing side waits for the peer's close frame before closing the connection. */
	static final long CLOSE_REPLY_WAIT_MILLIS = 2000;

	/** The highest status code RFC 6455 section 7.4 defines (4000-4999: private use). */
	private static final int MAX_CLOSE_STATUS = 4999;

	private final StreamLink link;

	private final boolean prioritizeReads;

	private final Runnable onClosed;

	private final WsMessageWriter writer;

	private @Nullable Channel channel;

	private @Nullable ChannelHandlerContext context;

	// Frames that arrived while reading was paused: Netty's decoder hands over every frame of the
	// read under way, several messages, which a proxy's rx flow control must not get after its
	// pause. Delivered in order once reading resumes. Frames that arrive before start() (a client's
	// sent with its upgrade request) wait here too, for the handler the stream has from then on.
	private final ArrayDeque<WebSocketFrame> held = new ArrayDeque<>();

	// A protocol violation in those frames, found before start(): answered once the frames before it
	// are delivered, as a violation read later is.
	private @Nullable CorruptedWebSocketFrameException heldViolation;

	private @Nullable ValidityTimer validity;

	private boolean reading;

	private boolean started;

	// The stream's read pause (a proxy's rx flow control), which start() must not undo: it may
	// have been asked for before the upgrade completed, or kept from an earlier connection.
	private boolean rxPaused;

	private boolean txDeferred;

	private boolean closeSent;

	private boolean messageOpen;

	private @Nullable ScheduledFuture<?> closeTimer;

	// The payload of the latest PING not yet answered because the channel was not writable.
	private @Nullable ByteBuf pendingPong;

	/**
	 * Creates a session.
	 * @param link the stream the connection carries
	 * @param onClosed called once when the connection has closed
	 */
	public WsSession(StreamLink link, Runnable onClosed) {
		WsSettings ws = link.policy().ws();
		this.link = link;
		this.prioritizeReads = ws.prioritizeReads();
		this.onClosed = onClosed;
		this.writer = new WsMessageWriter(link, ws.binary(), this.prioritizeReads, this::pump, this::handlerBroke);
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.channel = ctx.channel();
		this.context = ctx;
	}

	/**
	 * Starts the session once this handler is in the pipeline of an established ws connection.
	 * @param established the channel
	 */
	public void start(Channel established) {
		this.channel = established;
		if (this.prioritizeReads) {
			RecvByteBufAllocator allocator = established.config().getRecvByteBufAllocator();
			if (allocator instanceof MaxMessagesRecvByteBufAllocator maxMessages) {
				maxMessages.maxMessagesPerRead(PRIORITIZED_READS_PER_EVENT);
			}
		}
		this.validity = ValidityTimer.fromPolicy(established.eventLoop(), this.link.retryPolicy(), this::sendPing,
				this::validityExpired);
		this.validity.start();
		this.started = true;
		// The client's connection reads until the upgrade answer, the server's one request at a time:
		// from here on reading follows the stream's pause alone.
		established.config().setAutoRead(!this.rxPaused);
		if (holdsSomething()) {
			established.eventLoop().execute(this::releaseHeld);
		}
		pump();
	}

	/**
	 * Stops or resumes reading frames (a proxy's rx flow control). A pause asked for before
	 * {@link #start} holds from the start; once the closing handshake began the connection keeps
	 * reading, so the peer's close frame is seen. Frames of the read under way that arrive after
	 * a pause are held until it ends.
	 * @param paused {@code true} to stop reading
	 */
	public void setRxPaused(boolean paused) {
		this.rxPaused = paused;
		Channel ch = this.channel;
		if (!paused && holdsSomething() && ch != null) {
			// From a task: the caller may be inside a callback of the stream the frames go to.
			ch.eventLoop().execute(this::releaseHeld);
			return;
		}
		if (ch != null && this.started && !this.closeSent) {
			ch.config().setAutoRead(!paused);
		}
	}

	// Delivers the held frames while reading is not paused again, then reads on.
	private void releaseHeld() {
		ChannelHandlerContext ctx = this.context;
		while (ctx != null && ctx.channel().isActive() && this.started && !this.held.isEmpty()
				&& (!this.rxPaused || this.closeSent)) {
			receive(ctx, this.held.poll());
		}
		CorruptedWebSocketFrameException violation = this.heldViolation;
		if (violation != null && ctx != null && this.started && this.held.isEmpty()) {
			this.heldViolation = null;
			exceptionCaught(ctx, violation);
			return;
		}
		Channel ch = this.channel;
		if (ch != null && this.held.isEmpty() && !this.rxPaused && this.started && !this.closeSent) {
			ch.config().setAutoRead(true);
		}
	}

	/**
	 * Keeps a frame that reached the connection before this session joined its pipeline (a
	 * client's frames sent with its upgrade request); it is delivered once the session starts.
	 * @param frame the frame, released by the session
	 */
	public void hold(WebSocketFrame frame) {
		this.held.add(frame);
	}

	/**
	 * Keeps a protocol violation found in what reached the connection before this session joined
	 * its pipeline (the frames a client sent with its upgrade request, decoded while the answer
	 * is written); it is answered, with a close frame, after the frames held before it.
	 * @param violation the decoder's report
	 */
	public void holdViolation(CorruptedWebSocketFrameException violation) {
		this.heldViolation = violation;
	}

	private boolean holdsSomething() {
		return !this.held.isEmpty() || this.heldViolation != null;
	}

	/**
	 * Releases the frames held for a session that will not start (its upgrade failed).
	 */
	public void dropHeld() {
		while (!this.held.isEmpty()) {
			this.held.poll().release();
		}
		this.heldViolation = null;
	}

	/**
	 * The application asked to send.
	 */
	public void requestWrite() {
		pump();
	}

	/**
	 * The application confirmed the connection is alive.
	 */
	public void validityConfirmed() {
		if (this.validity != null) {
			this.validity.confirmed();
		}
	}

	/**
	 * Starts the closing handshake: sends a normal closure frame, then waits for the peer's
	 * close frame before closing the connection, at most {@value #CLOSE_REPLY_WAIT_MILLIS} ms.
	 * Received data frames are no longer delivered meanwhile. Calling it again while waiting
	 * changes nothing.
	 */
	public void close() {
		Channel ch = this.channel;
		if (ch == null || !ch.isActive() || this.closeSent) {
			return;
		}
		closing();
		// Paused reading (a proxy's flow control) must not hide the peer's reply, nor held frames.
		ch.config().setAutoRead(true);
		if (!this.held.isEmpty()) {
			ch.eventLoop().execute(this::releaseHeld);
		}
		ch.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
			.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
		closeWithin(ch, "no close frame from {} within {} ms; closing");
	}

	// Bounds the closing handshake: the connection closes after CLOSE_REPLY_WAIT_MILLIS even when
	// the peer neither answers nor reads what is still queued for it.
	private void closeWithin(Channel ch, String why) {
		this.closeTimer = ch.eventLoop().schedule(() -> {
			this.closeTimer = null;
			if (ch.isActive()) {
				logger.debug("ws stream '{}': " + why, this.link.policy().name(), ch.remoteAddress(),
						CLOSE_REPLY_WAIT_MILLIS);
				ch.close();
			}
		}, CLOSE_REPLY_WAIT_MILLIS, TimeUnit.MILLISECONDS);
	}

	private void pump() {
		Channel ch = this.channel;
		if (ch == null || this.closeSent) {
			return;
		}
		if (this.prioritizeReads && this.reading) {
			this.txDeferred = true;
			return;
		}
		this.writer.run(ch);
	}

	// Nothing may follow a close frame (RFC 6455 5.5.1), so the validity check, whose PING would,
	// ends here; the wait for the peer's close frame is bounded by its own timer.
	private void closing() {
		this.closeSent = true;
		if (this.validity != null) {
			this.validity.stop();
		}
	}

	private void sendPing() {
		Channel ch = this.channel;
		if (ch != null && ch.isActive() && !this.closeSent) {
			logger.debug("ws stream '{}': no proof of life from {}; sending PING", this.link.policy().name(),
					ch.remoteAddress());
			ch.writeAndFlush(new PingWebSocketFrame());
		}
	}

	private void validityExpired() {
		Channel ch = this.channel;
		if (ch != null && ch.isActive()) {
			logger.info("ws stream '{}': validity timeout, {} did not prove alive within svalidhup; closing",
					this.link.policy().name(), ch.remoteAddress());
			ch.close();
		}
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		this.reading = true;
		if (msg instanceof WebSocketFrame frame && !this.closeSent
				&& (!this.started || this.rxPaused || !this.held.isEmpty())) {
			this.held.add(frame);
			return;
		}
		receive(ctx, msg);
	}

	private void receive(ChannelHandlerContext ctx, Object msg) {
		try {
			if (!(msg instanceof WebSocketFrame frame) || this.channel == null) {
				return;
			}
			if (this.closeSent && !(frame instanceof CloseWebSocketFrame)) {
				// Closing: only the peer's close frame matters now.
				return;
			}
			if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
				deliver(frame, true);
			}
			else if (frame instanceof ContinuationWebSocketFrame) {
				deliver(frame, false);
			}
			else if (frame instanceof PingWebSocketFrame) {
				pong(ctx, frame.content());
			}
			else if (frame instanceof PongWebSocketFrame && this.validity != null) {
				// The only frame that proves the peer alive, as in libwebsockets: one that streams
				// data may still not be reading, or be a replay that never answers.
				this.validity.confirmed();
			}
			else if (frame instanceof CloseWebSocketFrame close) {
				onClose(ctx, close);
			}
		}
		finally {
			ReferenceCountUtil.release(msg);
		}
	}

	// A peer that sends PINGs but does not read must not make us queue a PONG for each: while the
	// channel is not writable only the latest PING is kept and answered once it is (RFC 6455
	// 5.5.3 allows answering only the most recent one, and libwebsockets keeps just one as well).
	private void pong(ChannelHandlerContext ctx, ByteBuf payload) {
		if (this.pendingPong != null) {
			this.pendingPong.release();
			this.pendingPong = null;
		}
		if (ctx.channel().isWritable()) {
			ctx.writeAndFlush(new PongWebSocketFrame(payload.retain()));
		}
		else {
			this.pendingPong = payload.copy();
		}
	}

	private void deliver(WebSocketFrame frame, boolean first) {
		int flags = (first ? StreamFlags.SOM : 0) | (frame.isFinalFragment() ? StreamFlags.EOM : 0);
		this.messageOpen = !frame.isFinalFragment();
		ByteBuf payload = frame.content();
		this.link.rx(payload, flags);
	}

	private void onClose(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
		logger.debug("ws stream '{}': peer {} closed with {} {}", this.link.policy().name(),
				ctx.channel().remoteAddress(), close.statusCode(), close.reasonText());
		if (this.closeSent) {
			ctx.close();
			return;
		}
		if (close.statusCode() > MAX_CLOSE_STATUS) {
			// Netty's decoder accepts any code from 3000 up; echoing it would send an invalid one.
			logger.warn("ws stream '{}': cutting off {}: ws protocol violation: close status code {} out of range",
					this.link.policy().name(), ctx.channel().remoteAddress(), close.statusCode());
			fail(ctx, WebSocketCloseStatus.PROTOCOL_ERROR);
			return;
		}
		closing();
		CloseWebSocketFrame reply = (close.statusCode() >= 0) ? new CloseWebSocketFrame(close.statusCode(), null)
				: new CloseWebSocketFrame();
		ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
		// A peer that stopped reading would keep the reply, and so the connection, forever.
		closeWithin(ctx.channel(), "{} did not take our close reply within {} ms; closing");
	}

	// Fails the connection (RFC 6455 7.1.7): a close frame with the status, without a reason that
	// could outgrow a control frame, then the connection closes.
	private void fail(ChannelHandlerContext ctx, WebSocketCloseStatus status) {
		closing();
		ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), null)).addListener(ChannelFutureListener.CLOSE);
		// A peer that does not read would keep the close frame, and so the connection.
		closeWithin(ctx.channel(), "{} did not take our close frame within {} ms; closing");
	}

	// The application broke its message framing (SOM inside an open message). RFC 6455 7.1.7 has a
	// broken endpoint fail the connection with a close frame, not just drop it; the status is 1011
	// (internal error: IANA's registry has it for either endpoint) rather than 1002, which would
	// blame the peer for a protocol error it did not make. The message cut short stays unended.
	private void handlerBroke() {
		ChannelHandlerContext ctx = this.context;
		if (ctx != null && ctx.channel().isActive() && !this.closeSent) {
			fail(ctx, WebSocketCloseStatus.INTERNAL_SERVER_ERROR);
		}
		else if (this.channel != null) {
			this.channel.close();
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		this.reading = false;
		if (this.txDeferred) {
			this.txDeferred = false;
			pump();
		}
		ctx.fireChannelReadComplete();
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		ByteBuf pong = this.pendingPong;
		if (pong != null && ctx.channel().isWritable()) {
			this.pendingPong = null;
			if (this.closeSent) {
				pong.release();
			}
			else {
				ctx.writeAndFlush(new PongWebSocketFrame(pong));
			}
		}
		if (ctx.channel().isWritable() && this.writer.wantsToWrite()) {
			pump();
		}
		ctx.fireChannelWritabilityChanged();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		// Frames held by a pause arrived before the end, and are delivered as if read then; a
		// session never started (the stream asked to disconnect) delivers none.
		while (!this.held.isEmpty()) {
			WebSocketFrame frame = this.held.poll();
			if (this.started) {
				receive(ctx, frame);
			}
			else {
				frame.release();
			}
		}
		if (this.closeTimer != null) {
			this.closeTimer.cancel(false);
			this.closeTimer = null;
		}
		if (this.validity != null) {
			this.validity.stop();
		}
		if (this.pendingPong != null) {
			this.pendingPong.release();
			this.pendingPong = null;
		}
		if (this.messageOpen) {
			logger.debug("ws stream '{}': connection closed in the middle of a received message",
					this.link.policy().name());
		}
		this.onClosed.run();
		ctx.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (cause instanceof CorruptedWebSocketFrameException violation) {
			logger.warn("ws stream '{}': cutting off {}: ws protocol violation: {}", this.link.policy().name(),
					ctx.channel().remoteAddress(), cause.getMessage());
			if (ctx.channel().isActive() && !this.closeSent) {
				// A decoder that leaves the answer to us (the server's).
				fail(ctx, violation.closeStatus());
				return;
			}
		}
		else {
			logger.debug("ws stream '{}': connection to {} failed: {}", this.link.policy().name(),
					ctx.channel().remoteAddress(), cause.toString());
		}
		ctx.close();
	}

}
