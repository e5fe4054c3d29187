package io.securestreams.proxy;

import io.netty.buffer.ByteBuf;
import io.securestreams.StreamFlags;
import io.securestreams.TxSlot;
import io.securestreams.proxy.wire.ToProxy;

/**
 * Copies a client's queued TX_PAYLOAD frames into the onward stream's tx slots, a slot's
 * capacity at a time: a frame larger than the slot goes out in several {@code onTx} calls, with
 * the frame's SOM on its first piece and its EOM on its last. Both onward handlers (on the
 * link's loop and across loops) share it, so they cannot disagree on how a frame is cut.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class TxFrameCopier {

	// Bytes of the head frame already copied; 0 between frames.
	private int offset;

	/**
	 * Copies the next piece of a frame into the slot and sets the slot's flags.
	 * @param head the frame at the head of the queue
	 * @param slot the onward stream's tx slot
	 * @return {@code true} when this was the frame's last piece, so the caller may dequeue and
	 * release it
	 */
	boolean copyNextPiece(ToProxy.TxPayload head, TxSlot slot) {
		ByteBuf data = head.payload();
		int length = Math.min(data.readableBytes() - this.offset, slot.capacity());
		slot.buffer().put(data.nioBuffer(data.readerIndex() + this.offset, length));
		int flags = (this.offset == 0) ? head.flags() & StreamFlags.SOM : 0;
		this.offset += length;
		boolean last = this.offset == data.readableBytes();
		if (last) {
			flags |= head.flags() & StreamFlags.EOM;
			this.offset = 0;
		}
		slot.flags(flags);
		return last;
	}

	/**
	 * Returns whether part of the head frame was copied already.
	 * @return {@code true} in the middle of a frame
	 */
	boolean started() {
		return this.offset > 0;
	}

	/** Forgets a partly copied frame (the queue was dropped). */
	void reset() {
		this.offset = 0;
	}

}
