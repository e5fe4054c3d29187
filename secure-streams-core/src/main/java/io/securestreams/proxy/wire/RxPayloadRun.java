package io.securestreams.proxy.wire;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ReferenceCounted;
import io.securestreams.StreamFlags;

/**
 * One piece of onward payload as consecutive RX_PAYLOAD frames of at most
 * {@value SsWire#MAX_RX_PAYLOAD} payload bytes, encoded once into one buffer. A proxy receives
 * onward payload in reads of up to 64 KiB; as separate {@link ToClient.RxPayload} messages each
 * read would be some fifty buffers, headers and socket-buffer entries, which cost more than the
 * bytes. On the wire a run is exactly the frames it holds: a client cannot tell it apart from
 * single messages. Its reference count is its buffer's.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class RxPayloadRun implements SsMessage, ReferenceCounted {

	private static final int FRAME_OVERHEAD = SsWire.FRAME_HEADER + PayloadMessage.FIXED_HEADER;

	private final ByteBuf frames;

	private final int count;

	private RxPayloadRun(ByteBuf frames, int count) {
		this.frames = frames;
		this.count = count;
	}

	/**
	 * Returns how many frames a payload of the given length takes (one for an empty payload,
	 * which is how an http body's final EOM travels).
	 * @param payloadLength the payload length
	 * @return the frame count
	 */
	public static int frameCount(int payloadLength) {
		return Math.max(1, (payloadLength + SsWire.MAX_RX_PAYLOAD - 1) / SsWire.MAX_RX_PAYLOAD);
	}

	/**
	 * Returns the wire bytes of a payload of the given length as a run.
	 * @param payloadLength the payload length
	 * @return the bytes, headers included
	 */
	public static long wireLength(int payloadLength) {
		return payloadLength + (long) frameCount(payloadLength) * FRAME_OVERHEAD;
	}

	/**
	 * Encodes a payload as frames, consuming it: SOM and POLL go on the first frame only, EOM and
	 * RELATED_END on the last only, RELATED_START on all (how libwebsockets' client splits a
	 * payload into {@code rx()} calls).
	 * @param allocator allocates the run's buffer
	 * @param payload the payload; its position ends at its limit
	 * @param flags the payload's {@code LWSSS_FLAG_*} flags
	 * @param proxyTimeUs the proxy's monotonic time in microseconds, written into every frame
	 * @return the run, which the caller owns
	 */
	public static RxPayloadRun encode(ByteBufAllocator allocator, ByteBuffer payload, int flags, long proxyTimeUs) {
		int total = payload.remaining();
		int count = frameCount(total);
		ByteBuf frames = allocator.ioBuffer((int) wireLength(total));
		ByteBuffer piece = payload.duplicate();
		for (int frame = 0; frame < count; frame++) {
			int length = Math.min(SsWire.MAX_RX_PAYLOAD, payload.remaining());
			frames.writeByte(FrameType.RX_PAYLOAD.code())
				.writeShort(PayloadMessage.FIXED_HEADER + length)
				.writeInt(pieceFlags(flags, frame == 0, frame == count - 1))
				.writeInt(0)
				.writeLong(proxyTimeUs);
			piece.limit(payload.position() + length).position(payload.position());
			frames.writeBytes(piece);
			payload.position(payload.position() + length);
		}
		return new RxPayloadRun(frames, count);
	}

	/**
	 * The flags of one frame of a payload split into several.
	 * @param flags the payload's flags
	 * @param first whether the frame is the first
	 * @param last whether the frame is the last
	 * @return the frame's flags
	 */
	public static int pieceFlags(int flags, boolean first, boolean last) {
		int piece = flags;
		if (!first) {
			piece &= ~(StreamFlags.SOM | StreamFlags.POLL);
		}
		if (!last) {
			piece &= ~(StreamFlags.EOM | StreamFlags.RELATED_END);
		}
		return piece;
	}

	/**
	 * Returns the encoded frames; the buffer stays owned by the run.
	 * @return the frames
	 */
	public ByteBuf frames() {
		return this.frames;
	}

	/**
	 * Returns how many frames the run holds.
	 * @return the frame count
	 */
	public int count() {
		return this.count;
	}

	@Override
	public FrameType type() {
		return FrameType.RX_PAYLOAD;
	}

	/**
	 * Returns the sum of the body lengths of the run's frames.
	 * @return the bytes after each frame's type and length
	 */
	@Override
	public int bodyLength() {
		return this.frames.readableBytes() - this.count * SsWire.FRAME_HEADER;
	}

	@Override
	public int wireLength() {
		return this.frames.readableBytes();
	}

	/**
	 * Not supported: a run is already encoded, headers included, and the encoder passes its
	 * frames on as they are.
	 * @param out unused
	 * @throws UnsupportedOperationException always
	 */
	@Override
	public void writeBody(ByteBuf out) {
		throw new UnsupportedOperationException("an RX_PAYLOAD run is already encoded; write frames() instead");
	}

	@Override
	public int refCnt() {
		return this.frames.refCnt();
	}

	@Override
	public RxPayloadRun retain() {
		this.frames.retain();
		return this;
	}

	@Override
	public RxPayloadRun retain(int increment) {
		this.frames.retain(increment);
		return this;
	}

	@Override
	public RxPayloadRun touch() {
		this.frames.touch();
		return this;
	}

	@Override
	public RxPayloadRun touch(Object hint) {
		this.frames.touch(hint);
		return this;
	}

	@Override
	public boolean release() {
		return this.frames.release();
	}

	@Override
	public boolean release(int decrement) {
		return this.frames.release(decrement);
	}

	@Override
	public String toString() {
		return "RxPayloadRun[frames=" + this.count + ", bytes=" + this.frames.readableBytes() + "]";
	}

}
