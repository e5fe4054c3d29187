package io.securestreams;

import java.nio.ByteBuffer;

/**
 * A chance to send: a writable buffer and the flags that go with what is written into it.
 * The runtime sends the bytes from 0 to the buffer's position. The slot and its buffer are only
 * valid during {@link StreamHandler#onTx}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class TxSlot {

	private ByteBuffer buffer = ByteBuffer.allocate(0);

	private int ordinal;

	private int flags;

	private long remaining = -1;

	/**
	 * Creates an empty slot; the runtime reuses one slot per stream.
	 */
	public TxSlot() {
	}

	/**
	 * Prepares the slot for a callback (runtime use).
	 * @param buffer the buffer to expose, position 0 and limit at its capacity
	 * @param ordinal the per-stream tx counter
	 * @param remaining bytes left of a length given by {@code requestTxLen}, or -1
	 * @return this slot
	 */
	public TxSlot reset(ByteBuffer buffer, int ordinal, long remaining) {
		this.buffer = buffer;
		this.ordinal = ordinal;
		this.flags = 0;
		this.remaining = remaining;
		return this;
	}

	/**
	 * Returns the buffer to write into. Writing advances its position; do not flip it.
	 * @return the buffer, valid only during the callback
	 */
	public ByteBuffer buffer() {
		return this.buffer;
	}

	/**
	 * Copies bytes into the buffer.
	 * @param bytes the bytes, at most {@link #capacity()} in total
	 * @return this slot
	 */
	public TxSlot write(byte[] bytes) {
		this.buffer.put(bytes);
		return this;
	}

	/**
	 * Returns how many bytes this slot can take.
	 * @return the buffer's capacity
	 */
	public int capacity() {
		return this.buffer.capacity();
	}

	/**
	 * Returns the per-stream tx counter (libwebsockets' {@code ord}).
	 * @return the ordinal
	 */
	public int ordinal() {
		return this.ordinal;
	}

	/**
	 * Returns the bytes of the current message still owed: the length announced with
	 * {@link SecureStream#requestTxLen(long)} less what earlier calls for the same message wrote.
	 * A length announced while a message is going out is the next message's and does not change
	 * this count.
	 * @return the remaining byte count, or -1 when no length was announced
	 */
	public long remaining() {
		return this.remaining;
	}

	/**
	 * Sets the flags of what was written, for example {@code StreamFlags.SOM | StreamFlags.EOM}.
	 * @param flags the {@link StreamFlags}
	 * @return this slot
	 */
	public TxSlot flags(int flags) {
		this.flags = flags;
		return this;
	}

	/**
	 * Returns the flags set by the handler.
	 * @return the flags
	 */
	public int flags() {
		return this.flags;
	}

	/**
	 * Returns the number of bytes written so far.
	 * @return the buffer's position
	 */
	public int length() {
		return this.buffer.position();
	}

}
