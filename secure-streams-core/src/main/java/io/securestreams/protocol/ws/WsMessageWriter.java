package io.securestreams.protocol.ws;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.securestreams.StreamFlags;
import io.securestreams.protocol.StreamLink;
import io.securestreams.protocol.TxResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the application's tx calls into ws frames: a write with SOM starts a message (a TEXT or
 * BINARY frame by {@code ws_binary}), later writes of the same message are CONTINUATION frames,
 * and EOM sets FIN. While a message is open the writer calls {@code onTx} again by itself; a
 * TX_DONT_SEND result waits for the next {@code requestTx}. A zero-length write without flags is
 * dropped. A write with SOM while a message is still open is a handler error: the writer hands it
 * to {@code broken}, which fails the connection with a close frame; a write without SOM when no
 * message is open starts one.
 * <p>
 * Each run sends until the channel stops being writable, the application has nothing more, or a
 * budget of frames is spent (then the run continues in a later event-loop task, so reads are
 * served in between).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class WsMessageWriter {

	private static final Logger logger = LoggerFactory.getLogger(WsMessageWriter.class);

	/**
	 * Capacity of the buffer one {@code onTx} call may fill, and so the largest frame we send:
	 * 64 KiB lets a typical message go out as one frame (fewer headers, callbacks and writes).
	 */
	static final int TX_CAPACITY = 64 * 1024;

	private static final int FRAMES_PER_RUN = 64;

	private final StreamLink link;

	private final boolean binary;

	private final int framesPerRun;

	private final Runnable resume;

	private final Runnable broken;

	private boolean inMessage;

	private boolean continuationScheduled;

	/**
	 * Creates a writer.
	 * @param link the stream
	 * @param binary whether messages are BINARY rather than TEXT
	 * @param yieldEveryFrame whether each run sends a single frame (reads first)
	 * @param resume runs the writer again, from a later event-loop task
	 * @param broken fails the connection after a handler error
	 */
	WsMessageWriter(StreamLink link, boolean binary, boolean yieldEveryFrame, Runnable resume, Runnable broken) {
		this.link = link;
		this.binary = binary;
		this.framesPerRun = yieldEveryFrame ? 1 : FRAMES_PER_RUN;
		this.resume = resume;
		this.broken = broken;
	}

	/**
	 * Returns whether there is something to send: an open message or a tx request.
	 * @return {@code true} when {@link #run} would call the application
	 */
	boolean wantsToWrite() {
		return this.inMessage || this.link.txRequested();
	}

	/**
	 * Sends what the application has, as described above.
	 * @param channel the ws channel
	 */
	void run(Channel channel) {
		int frames = 0;
		boolean wrote = false;
		while (channel.isActive() && channel.isWritable() && this.link.isActive() && wantsToWrite()) {
			if (frames == this.framesPerRun) {
				scheduleContinuation(channel);
				break;
			}
			ByteBuf buffer = channel.alloc().ioBuffer(TX_CAPACITY, TX_CAPACITY);
			TxResult result = this.link.tx(buffer);
			if (!result.send() || (result.length() == 0 && result.flags() == 0)) {
				buffer.release();
				break;
			}
			boolean som = StreamFlags.has(result.flags(), StreamFlags.SOM);
			boolean eom = StreamFlags.has(result.flags(), StreamFlags.EOM);
			if (som && this.inMessage) {
				buffer.release();
				logger.error("ws stream '{}': the handler started a message (SOM) before ending the previous one "
						+ "(EOM); failing the connection with close status 1011", this.link.policy().name());
				// The frames of this run that went before are flushed with the close frame.
				this.broken.run();
				return;
			}
			channel.write(frame(buffer, eom));
			this.inMessage = !eom;
			frames++;
			wrote = true;
		}
		if (wrote) {
			channel.flush();
		}
	}

	private WebSocketFrame frame(ByteBuf payload, boolean fin) {
		if (this.inMessage) {
			return new ContinuationWebSocketFrame(fin, 0, payload);
		}
		return this.binary ? new BinaryWebSocketFrame(fin, 0, payload) : new TextWebSocketFrame(fin, 0, payload);
	}

	private void scheduleContinuation(Channel channel) {
		if (!this.continuationScheduled) {
			this.continuationScheduled = true;
			channel.eventLoop().execute(() -> {
				this.continuationScheduled = false;
				this.resume.run();
			});
		}
	}

}
