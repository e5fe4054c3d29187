package io.securestreams.policy.json;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Finds bytes that are not UTF-8 as RFC 3629 defines it, with the JDK's decoder, which refuses
 * what Jackson's decoder takes as characters: overlong forms ({@code C0 AF} for {@code /}),
 * encoded surrogates and sequences beyond U+10FFFF. Without the check, a policy that is not UTF-8
 * would be read as different, plausible text.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class Utf8Check {

	private static final int CHUNK = 8192;

	private Utf8Check() {
	}

	/**
	 * Returns where the first sequence that is not UTF-8 starts.
	 * @param data the bytes
	 * @return the offset of its first byte, or {@code -1} when all of {@code data} is UTF-8
	 */
	static int firstInvalid(byte[] data) {
		// Most policies are ASCII throughout: the decoder starts at the first byte that is not.
		int start = 0;
		while (start < data.length && data[start] >= 0) {
			start++;
		}
		if (start == data.length) {
			return -1;
		}
		CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);
		ByteBuffer in = ByteBuffer.wrap(data, start, data.length - start);
		// The text itself is not needed: it is decoded a chunk at a time into one small buffer.
		CharBuffer out = CharBuffer.allocate(Math.min(CHUNK, data.length - start + 1));
		while (true) {
			CoderResult result = decoder.decode(in, out, true);
			if (result.isError()) {
				return in.position();
			}
			if (result.isUnderflow()) {
				result = decoder.flush(out);
				return result.isError() ? in.position() : -1;
			}
			out.clear();
		}
	}

	/**
	 * Returns whether the bytes hold a backslash followed by {@code u}: a JSON {@code \\u} escape,
	 * or text that only looks like one.
	 * @param data the bytes
	 * @return {@code false} when no string of the document can hold an escaped character code
	 */
	static boolean hasUnicodeEscape(byte[] data) {
		for (int i = 0; i + 1 < data.length; i++) {
			if (data[i] == '\\' && data[i + 1] == 'u') {
				return true;
			}
		}
		return false;
	}

}
