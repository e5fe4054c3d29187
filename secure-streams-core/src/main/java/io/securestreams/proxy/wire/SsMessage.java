package io.securestreams.proxy.wire;

import io.netty.buffer.ByteBuf;

/**
 * One frame of the serialization protocol as a typed message. Implementations are in
 * {@link ToProxy} (client to proxy) and {@link ToClient} (proxy to client); those that carry
 * payload are {@link PayloadMessage}s and must be released.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public interface SsMessage {

	/**
	 * Returns the frame type.
	 * @return the type
	 */
	FrameType type();

	/**
	 * Returns the length of the frame body (the frame's length field).
	 * @return the body length, at most 65535
	 */
	int bodyLength();

	/**
	 * Returns the bytes the message takes on the wire.
	 * @return the frame header and body length
	 */
	default int wireLength() {
		return SsWire.FRAME_HEADER + bodyLength();
	}

	/**
	 * Writes the body, except the payload of a {@link PayloadMessage}, which the encoder appends.
	 * @param out where to write
	 */
	void writeBody(ByteBuf out);

}
