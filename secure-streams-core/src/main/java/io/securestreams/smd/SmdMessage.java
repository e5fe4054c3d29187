package io.securestreams.smd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One message of the system message bus: its class, when it was sent and up to 384 bytes of
 * payload (libwebsockets' messages are JSON text by convention; any bytes are carried).
 * <p>
 * On an {@code _lws_smd} stream a message travels as its {@linkplain #encode() encoding}: the
 * class and the timestamp as two big-endian 64-bit numbers, then the payload, exactly as
 * libwebsockets' SMD streams and its proxy carry it.
 *
 * @param smdClass the class, one {@link SmdClass} bit
 * @param timestampMicros microseconds since the epoch when the message was sent
 * @param payload the payload, at most {@link #MAX_PAYLOAD} bytes; not copied, do not change it
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record SmdMessage(long smdClass, long timestampMicros, byte[] payload) {

	/** Most payload bytes a message may carry (libwebsockets' {@code LWS_SMD_MAX_PAYLOAD}). */
	public static final int MAX_PAYLOAD = 384;

	/** Bytes of class and timestamp in front of the payload on a stream. */
	public static final int HEADER = 16;

	/**
	 * Checks the fields.
	 * @param smdClass the class
	 * @param timestampMicros the timestamp
	 * @param payload the payload
	 */
	public SmdMessage {
		if (smdClass == 0) {
			throw new IllegalArgumentException("an SMD message needs a class");
		}
		if (payload.length > MAX_PAYLOAD) {
			throw new IllegalArgumentException(
					"an SMD message carries at most " + MAX_PAYLOAD + " bytes, not " + payload.length);
		}
	}

	/**
	 * Reads a message as a stream carries it.
	 * @param encoded the class, the timestamp and the payload
	 * @return the message
	 * @throws IllegalArgumentException when the bytes are shorter than the header, longer than a
	 * message can be, or name no class
	 */
	public static SmdMessage decode(ByteBuffer encoded) {
		int length = encoded.remaining();
		if (length < HEADER || length > HEADER + MAX_PAYLOAD) {
			throw new IllegalArgumentException("an SMD message is a " + HEADER + "-byte class and timestamp header "
					+ "and at most " + MAX_PAYLOAD + " bytes of payload; got " + length + " bytes");
		}
		ByteBuffer view = encoded.duplicate();
		long smdClass = view.getLong();
		long timestamp = view.getLong();
		byte[] payload = new byte[view.remaining()];
		view.get(payload);
		return new SmdMessage(smdClass, timestamp, payload);
	}

	/**
	 * Returns the message as a stream carries it.
	 * @return the 16-byte header followed by the payload
	 */
	public byte[] encode() {
		return ByteBuffer.allocate(HEADER + this.payload.length)
			.putLong(this.smdClass)
			.putLong(this.timestampMicros)
			.put(this.payload)
			.array();
	}

	/**
	 * Returns the payload as UTF-8 text.
	 * @return the text
	 */
	public String text() {
		return new String(this.payload, StandardCharsets.UTF_8);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof SmdMessage that && this.smdClass == that.smdClass
				&& this.timestampMicros == that.timestampMicros && Arrays.equals(this.payload, that.payload);
	}

	@Override
	public int hashCode() {
		return Long.hashCode(this.smdClass) * 31 + Arrays.hashCode(this.payload);
	}

	@Override
	public String toString() {
		return "SmdMessage[class=0x" + Long.toHexString(this.smdClass) + ", timestampMicros=" + this.timestampMicros
				+ ", " + this.payload.length + " bytes]";
	}

}
