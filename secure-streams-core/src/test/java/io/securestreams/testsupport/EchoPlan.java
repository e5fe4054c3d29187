package io.securestreams.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Messages for ws echo tests, reproducible from a seed. Sizes: 90% from 0 to 2 KiB, 8% from
 * 2 KiB to 32 KiB, 2% from 32 KiB to 256 KiB (mean about 5 KiB); the first messages are 0 bytes and exactly
 * 256 KiB. Text messages are valid UTF-8 mixing 1- to 4-byte characters, their byte length
 * capped at 256 KiB.
 */
public final class EchoPlan {

	/** The largest message: 256 KiB. */
	public static final int MAX = 256 * 1024;

	private static final String[] CHARS = { "a", "b", "z", "0", " ", "é", "ß", "€", "中", "😀" };

	private EchoPlan() {
	}

	/**
	 * Makes messages.
	 * @param count how many
	 * @param text whether they are UTF-8 text
	 * @param seed the random seed
	 * @return the messages' bytes
	 */
	public static List<byte[]> messages(int count, boolean text, long seed) {
		Random random = new Random(seed);
		List<byte[]> messages = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			int size = (i == 0) ? 0 : (i == 1) ? MAX : size(random);
			messages.add(text ? text(random, size) : binary(random, size));
		}
		return messages;
	}

	private static int size(Random random) {
		int bucket = random.nextInt(100);
		if (bucket < 90) {
			return random.nextInt(2048 + 1);
		}
		if (bucket < 98) {
			return 2048 + random.nextInt(32 * 1024 - 2048);
		}
		return 32 * 1024 + random.nextInt(MAX - 32 * 1024 + 1);
	}

	private static byte[] binary(Random random, int size) {
		byte[] bytes = new byte[size];
		random.nextBytes(bytes);
		return bytes;
	}

	private static byte[] text(Random random, int size) {
		StringBuilder text = new StringBuilder();
		int bytes = 0;
		while (true) {
			String next = CHARS[random.nextInt(CHARS.length)];
			int length = next.getBytes(StandardCharsets.UTF_8).length;
			if (bytes + length > size) {
				break;
			}
			text.append(next);
			bytes += length;
		}
		while (bytes < size) {
			text.append('x');
			bytes++;
		}
		return text.toString().getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Returns the total size of messages.
	 * @param messages the messages
	 * @return their byte count
	 */
	public static long totalBytes(List<byte[]> messages) {
		return messages.stream().mapToLong((m) -> m.length).sum();
	}

}
