package io.securestreams.testsupport;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.TxSlot;

/**
 * An echo for one accepted stream (an upgraded ws stream, or raw): every received fragment is
 * sent back with the same SOM/EOM flags, split over several tx calls when it is larger than the
 * tx buffer.
 */
public final class WsEchoHandler implements StreamHandler {

	private final Deque<byte[]> fragments = new ArrayDeque<>();

	private final Deque<Integer> flags = new ArrayDeque<>();

	private int offset;

	@Override
	public StreamResult onRx(SecureStream stream, ByteBuffer payload, int rxFlags) {
		byte[] copy = new byte[payload.remaining()];
		payload.get(copy);
		this.fragments.add(copy);
		this.flags.add(rxFlags & (StreamFlags.SOM | StreamFlags.EOM));
		stream.requestTx();
		return StreamResult.OK;
	}

	@Override
	public StreamResult onTx(SecureStream stream, TxSlot slot) {
		byte[] fragment = this.fragments.peek();
		if (fragment == null) {
			return StreamResult.TX_DONT_SEND;
		}
		int fragmentFlags = this.flags.peek();
		int length = Math.min(slot.capacity(), fragment.length - this.offset);
		slot.buffer().put(fragment, this.offset, length);
		int out = (this.offset == 0) ? (fragmentFlags & StreamFlags.SOM) : 0;
		this.offset += length;
		if (this.offset == fragment.length) {
			out |= fragmentFlags & StreamFlags.EOM;
			this.fragments.poll();
			this.flags.poll();
			this.offset = 0;
		}
		if (!this.fragments.isEmpty()) {
			// ws would call again by itself within a message; raw needs asking for every write.
			stream.requestTx();
		}
		slot.flags(out);
		return StreamResult.OK;
	}

}
