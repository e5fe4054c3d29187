package io.securestreams.proxy.wire;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * Limits and helpers of the serialization protocol, with libwebsockets' values.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SsWire {

	/** Bytes of type and length before every body. */
	public static final int FRAME_HEADER = 3;

	/** Largest body the 16-bit length field can describe. */
	public static final int MAX_BODY = 0xffff;

	/** The only protocol version ({@code LWS_SSS_CLIENT_PROTOCOL_VERSION}). */
	public static final int PROTOCOL_VERSION = 1;

	/** Initial tx credit a client announces when the application set none. */
	public static final int DEFAULT_INITIAL_TX_CREDIT = 500_000_000;

	/** Most payload bytes per RX_PAYLOAD frame a proxy sends (one client {@code rx()} call). */
	public static final int MAX_RX_PAYLOAD = 1380;

	/** Most payload bytes per TX_PAYLOAD frame a client sends (lws default header buffer). */
	public static final int MAX_TX_PAYLOAD = 4061;

	/** Longest streamtype name (a 32nd character makes the proxy hang up). */
	public static final int MAX_STREAMTYPE_NAME = 31;

	/** Longest metadata name (a name of 31 bytes or more makes the receiver hang up). */
	public static final int MAX_METADATA_NAME = 30;

	/**
	 * Shortest METADATA body either side accepts (libwebsockets' deserializers hang up below
	 * it): a 1-byte name with an empty value makes a body of 2 bytes, which cannot travel.
	 */
	public static final int MIN_METADATA_BODY = 3;

	/** TIMEOUT_UPDATE value that cancels the timer. */
	public static final long TIMEOUT_CANCEL = 0xffffffffL;

	private SsWire() {
	}

	/**
	 * Encodes a message into one buffer, for tests and tools; the message is not released.
	 * @param allocator the allocator
	 * @param message the message
	 * @return the frame bytes
	 */
	public static ByteBuf encode(ByteBufAllocator allocator, SsMessage message) {
		if (message instanceof RxPayloadRun run) {
			return allocator.buffer(run.wireLength()).writeBytes(run.frames(), run.frames().readerIndex(),
					run.wireLength());
		}
		ByteBuf out = allocator.buffer(FRAME_HEADER + message.bodyLength());
		writeHeader(out, message);
		message.writeBody(out);
		if (message instanceof PayloadMessage payload) {
			ByteBuf data = payload.payload();
			out.writeBytes(data, data.readerIndex(), data.readableBytes());
		}
		return out;
	}

	/**
	 * Encodes a message into a byte array; the message is not released.
	 * @param message the message
	 * @return the frame bytes
	 */
	public static byte[] toBytes(SsMessage message) {
		ByteBuf frame = encode(UnpooledByteBufAllocator.DEFAULT, message);
		try {
			byte[] bytes = new byte[frame.readableBytes()];
			frame.readBytes(bytes);
			return bytes;
		}
		finally {
			frame.release();
		}
	}

	static void writeHeader(ByteBuf out, SsMessage message) {
		int length = message.bodyLength();
		if (length > MAX_BODY) {
			throw new IllegalArgumentException(message.type() + " body of " + length + " bytes does not fit a frame");
		}
		out.writeByte(message.type().code());
		out.writeShort(length);
	}

	static String ascii(ByteBuf body, int length) {
		return body.readCharSequence(length, StandardCharsets.UTF_8).toString();
	}

	static byte[] bytes(ByteBuf body, int length) {
		byte[] bytes = new byte[length];
		body.readBytes(bytes);
		return bytes;
	}

	static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
