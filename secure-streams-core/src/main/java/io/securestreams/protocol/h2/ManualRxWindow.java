package io.securestreams.protocol.h2;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2LocalFlowController;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2LocalFlowController;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manual rx flow control of one h2 stream, as libwebsockets does for a stream created with a
 * {@code manual_initial_tx_credit}: the stream's receive window opens at the application's
 * initial credit and widens only by its grants, while the connection's window is still returned
 * as the stream reads (so other streams of the connection are not held back).
 * <p>
 * It steers Netty's local flow controller, which refills a stream's window towards a target
 * whenever the bytes the peer may still send plus those unread drop below a ratio of that target:
 * each DATA frame lowers the target by its size before the stream consumes it, so consuming never
 * refills the window, and each grant raises the target by its size. With the stream's ratio near
 * 1 a grant goes out at once, unless it is tiny against what the peer may still send, and then
 * with a later one; no granted byte is lost and the peer is never left without credit it was
 * granted. The target starts at the initial credit (at least the initial stream window of 65535
 * bytes the server may send anyway) once the request's HEADERS opened the stream (Netty creates
 * the stream then); grants made before that wait for it.
 * <p>
 * A stream may cap the window it offers at a time: credit beyond the cap waits in a bank, and a
 * DATA frame read is refilled from the bank instead of lowering the target, so the window
 * follows reading (as automatic flow control does) until the credit is used up. A proxy's onward
 * stream, whose reading its client's pace pauses, needs that to hold at most the cap unread.
 * Sits in the h2 stream's pipeline before the codec that turns frames into http objects, on the
 * stream's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ManualRxWindow extends ChannelDuplexHandler {

	private static final Logger logger = LoggerFactory.getLogger(ManualRxWindow.class);

	/** The window ratio below which Netty sends an update: near 1, so that grants go out at once. */
	private static final float UPDATE_RATIO = 0.999f;

	private final int initialCredit;

	// The most the target may be; what is granted beyond it waits in the bank.
	private final int maxWindow;

	// Granted before the stream was open, added to the target once it is.
	private int grantedEarly;

	// Credit granted but not offered to the server yet, because of maxWindow.
	private long bank;

	private @Nullable Http2Stream stream;

	private @Nullable Http2LocalFlowController flowController;

	private @Nullable ChannelHandlerContext context;

	// What the server may still send by the credit granted: read from any thread.
	private volatile long estimate;

	/**
	 * Creates the flow control of one h2 stream.
	 * @param initialCredit the credit the stream opens with
	 * @param granted what the application granted already during the transaction
	 * @param maxWindow the largest window to offer the server at a time (at least the initial
	 * stream window): the credit beyond it is offered as the stream reads, so that a stream whose
	 * reading is paused (a proxy's onward stream) holds at most this much unread;
	 * {@code Integer.MAX_VALUE} offers every credit at once, as libwebsockets does
	 */
	ManualRxWindow(int initialCredit, int granted, int maxWindow) {
		this.initialCredit = initialCredit;
		this.grantedEarly = granted;
		this.maxWindow = maxWindow;
		this.estimate = (long) Math.max(initialCredit, Http2CodecUtil.DEFAULT_WINDOW_SIZE) + granted;
	}

	/**
	 * Returns what the server may still send on the stream by the credit granted: the initial
	 * credit (at least the initial stream window) and the grants, less the DATA read.
	 * @return the bytes, clipped to the range of an {@code int}
	 */
	int estimate() {
		return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, this.estimate));
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.context = ctx;
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		if (!(msg instanceof Http2HeadersFrame) || this.stream != null) {
			ctx.write(msg, promise);
			return;
		}
		ChannelPromise written = promise.unvoid();
		written.addListener((f) -> {
			if (f.isSuccess() && this.stream == null) {
				opened(ctx);
			}
		});
		ctx.write(msg, written);
	}

	private void opened(ChannelHandlerContext ctx) {
		Http2StreamChannel channel = (Http2StreamChannel) ctx.channel();
		Http2FrameCodec codec = channel.parent().pipeline().get(Http2FrameCodec.class);
		Http2Stream known = (codec != null) ? codec.connection().stream(channel.stream().id()) : null;
		if (known == null) {
			return;
		}
		this.stream = known;
		Http2LocalFlowController controller = codec.connection().local().flowController();
		this.flowController = controller;
		if (controller instanceof DefaultHttp2LocalFlowController ratios) {
			try {
				ratios.windowUpdateRatio(known, UPDATE_RATIO);
			}
			catch (Http2Exception ex) {
				logger.debug("h2 stream {}: could not set its window update ratio: {}", known.id(), ex.getMessage());
			}
		}
		// The server may send the initial stream window before any update, so the credit starts
		// there at least; the target then never falls below what the server may still send.
		int target = controller.initialWindowSize(known);
		long wanted = (long) Math.max(this.initialCredit, target) + this.grantedEarly;
		this.grantedEarly = 0;
		this.estimate = wanted;
		long offered = Math.min(wanted, Math.max(this.maxWindow, target));
		this.bank = wanted - offered;
		move(ctx, (int) Math.min(Integer.MAX_VALUE, offered - target));
		channel.parent().flush();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof Http2DataFrame data && this.stream != null) {
			// Before the stream consumes it (after this read): consuming refills only what the
			// bank pays for, so that the server never gets more than the credit.
			int read = data.initialFlowControlledBytes();
			this.estimate -= read;
			long refill = Math.min(read, this.bank);
			this.bank -= refill;
			move(ctx, (int) (refill - read));
		}
		ctx.fireChannelRead(msg);
	}

	/**
	 * Grants the peer this many more bytes on the stream.
	 * @param delta the bytes, positive
	 */
	void grant(int delta) {
		ChannelHandlerContext ctx = this.context;
		if (ctx != null && !ctx.channel().isActive()) {
			return;
		}
		if (ctx == null || this.stream == null) {
			this.grantedEarly = (int) Math.min(Integer.MAX_VALUE, (long) this.grantedEarly + delta);
			this.estimate += delta;
			return;
		}
		Http2LocalFlowController controller = this.flowController;
		Http2Stream open = this.stream;
		if (controller == null || open.state() == Http2Stream.State.CLOSED) {
			return;
		}
		this.estimate += delta;
		this.bank += delta;
		long room = (long) this.maxWindow - controller.initialWindowSize(open);
		long offered = Math.min(this.bank, Math.max(0, room));
		this.bank -= offered;
		move(ctx, (int) offered);
		ctx.channel().parent().flush();
	}

	// Moves the stream's target window; Netty clips it to 0 .. 2^31-1.
	private void move(ChannelHandlerContext ctx, int delta) {
		Http2LocalFlowController controller = this.flowController;
		Http2Stream open = this.stream;
		if (delta == 0 || controller == null || open == null || open.state() == Http2Stream.State.CLOSED) {
			return;
		}
		try {
			controller.incrementWindowSize(open, delta);
		}
		catch (Http2Exception ex) {
			logger.debug("h2 stream {}: could not move its receive window by {}: {}", open.id(), delta,
					ex.getMessage());
			ctx.close();
		}
	}

}
