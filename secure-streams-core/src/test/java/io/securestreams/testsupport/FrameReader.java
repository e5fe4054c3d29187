package io.securestreams.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * Reads whole serialization frames from a blocking socket, without the codec under test.
 */
public final class FrameReader {

	/** One frame: its type byte and body. */
	public record Frame(int type, byte[] body) {

		/** Returns the CONNSTATE state value of a 0x57 frame. */
		public int state() {
			int state = 0;
			for (int i = 0; i < this.body.length - 4; i++) {
				state = (state << 8) | (this.body[i] & 0xff);
			}
			return state;
		}

		/** Returns the whole frame as sent. */
		public byte[] bytes() {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			out.write(this.type);
			out.write(this.body.length >> 8);
			out.write(this.body.length & 0xff);
			out.writeBytes(this.body);
			return out.toByteArray();
		}

		@Override
		public String toString() {
			return String.format("%02x:%s", this.type, (this.body.length <= 24) ? java.util.HexFormat.of()
				.formatHex(this.body) : this.body.length + " bytes");
		}

	}

	private final InputStream in;

	public FrameReader(SocketChannel channel) {
		this.in = Channels.newInputStream(channel);
	}

	/**
	 * Reads the next frame.
	 * @return the frame, or {@code null} at the end of the stream
	 * @throws IOException when the socket fails
	 */
	public Frame next() throws IOException {
		byte[] header = this.in.readNBytes(3);
		if (header.length < 3) {
			return null;
		}
		int length = ((header[1] & 0xff) << 8) | (header[2] & 0xff);
		byte[] body = this.in.readNBytes(length);
		if (body.length < length) {
			return null;
		}
		return new Frame(header[0] & 0xff, body);
	}

	/**
	 * Writes bytes fully.
	 * @param channel the socket
	 * @param bytes the bytes
	 * @throws IOException when the socket fails
	 */
	public static void write(SocketChannel channel, byte[] bytes) throws IOException {
		ByteBuffer buffer = ByteBuffer.wrap(bytes);
		while (buffer.hasRemaining()) {
			channel.write(buffer);
		}
	}

	/** Returns a copy of a range of bytes. */
	public static byte[] range(byte[] bytes, int from, int to) {
		return Arrays.copyOfRange(bytes, from, to);
	}

}
