package io.securestreams.policy.json;

/**
 * Finds bytes that are not UTF-8 as RFC 3629 defines it. Jackson's decoder takes overlong forms
 * ({@code C0 AF} for {@code /}) and sequences beyond U+10FFFF as characters, so a policy that is
 * not UTF-8 would be read as different, plausible text.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class Utf8Check {

	private Utf8Check() {
	}

	/**
	 * Returns where the first sequence that is not UTF-8 starts.
	 * @param data the bytes
	 * @return the offset of its first byte, or {@code -1} when all of {@code data} is UTF-8
	 */
	static int firstInvalid(byte[] data) {
		int i = 0;
		int end = data.length;
		while (i < end) {
			int lead = data[i];
			if (lead >= 0) {
				i++;
				continue;
			}
			int length = sequenceLength(data, i, lead & 0xFF);
			if (length == 0) {
				return i;
			}
			i += length;
		}
		return -1;
	}

	// The well-formed sequences of RFC 3629, section 4: the second byte's range depends on the
	// first, which rules out overlong forms, surrogates and code points beyond U+10FFFF.
	private static int sequenceLength(byte[] data, int at, int lead) {
		int length;
		int low = 0x80;
		int high = 0xBF;
		if (lead >= 0xC2 && lead <= 0xDF) {
			length = 2;
		}
		else if (lead >= 0xE0 && lead <= 0xEF) {
			length = 3;
			low = (lead == 0xE0) ? 0xA0 : 0x80;
			high = (lead == 0xED) ? 0x9F : 0xBF;
		}
		else if (lead >= 0xF0 && lead <= 0xF4) {
			length = 4;
			low = (lead == 0xF0) ? 0x90 : 0x80;
			high = (lead == 0xF4) ? 0x8F : 0xBF;
		}
		else {
			return 0;
		}
		if (at + length > data.length) {
			return 0;
		}
		int second = data[at + 1] & 0xFF;
		if (second < low || second > high) {
			return 0;
		}
		for (int i = 2; i < length; i++) {
			int next = data[at + i] & 0xFF;
			if (next < 0x80 || next > 0xBF) {
				return 0;
			}
		}
		return length;
	}

}
