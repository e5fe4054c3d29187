package io.securestreams.boot.handler;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.securestreams.StreamFlags;

/**
 * Keeps each stream's chunks on UTF-8 character boundaries for a {@code String} payload: the
 * network splits a body anywhere, so a chunk may end inside a character, and decoding each
 * chunk alone turned such a character into replacement characters. The bytes of a character
 * whose rest has not arrived wait for the stream's next chunk.
 *
 * @author Secure Streams contributors
 */
final class TextChunks {

	private final Map<Long, byte[]> held = new ConcurrentHashMap<>();

	/**
	 * Returns a chunk's bytes that end on a character boundary: the bytes held from the stream's
	 * previous chunk, then the chunk, less the start of a character it ends in (held for the next
	 * chunk). At {@code EOM} nothing is held back.
	 * @param streamId the stream
	 * @param chunk the chunk
	 * @param flags the chunk's flags
	 * @return the bytes to decode now
	 */
	byte[] complete(long streamId, byte[] chunk, int flags) {
		byte[] previous = this.held.remove(streamId);
		byte[] bytes = chunk;
		// At SOM the previous message was cut off: its partial character can never be completed.
		if (previous != null && !StreamFlags.has(flags, StreamFlags.SOM)) {
			bytes = Arrays.copyOf(previous, previous.length + chunk.length);
			System.arraycopy(chunk, 0, bytes, previous.length, chunk.length);
		}
		int incomplete = StreamFlags.has(flags, StreamFlags.EOM) ? 0 : incompleteTail(bytes);
		if (incomplete == 0) {
			return bytes;
		}
		this.held.put(streamId, Arrays.copyOfRange(bytes, bytes.length - incomplete, bytes.length));
		return Arrays.copyOf(bytes, bytes.length - incomplete);
	}

	/**
	 * Forgets a stream's held bytes.
	 * @param streamId the stream
	 */
	void forget(long streamId) {
		this.held.remove(streamId);
	}

	// How many bytes at the end start a character that needs more bytes than are there.
	static int incompleteTail(byte[] bytes) {
		for (int back = 1; back <= Math.min(3, bytes.length); back++) {
			int b = bytes[bytes.length - back] & 0xFF;
			if ((b & 0xC0) != 0x80) {
				int length = (b >= 0xF0) ? 4 : (b >= 0xE0) ? 3 : (b >= 0xC0) ? 2 : 1;
				return (length > back) ? back : 0;
			}
		}
		return 0;
	}

}
