package io.securestreams.proxy;

/**
 * Makes text a client sent fit for a log line. A streamtype or metadata name arrives as bytes
 * of the client's choosing and is named in the proxy's log lines (the link's description, the
 * reason it was hung up): a CR or LF in it would start a line of the client's making, an ESC a
 * terminal escape. Control and format characters, and the line and paragraph separators, are
 * written as escapes instead: a backslash, {@code u} and four hexadecimal digits.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ClientText {

	private ClientText() {
	}

	/**
	 * Returns the text with every character that could end or disguise a log line escaped.
	 * @param text the client's text, or a message that includes it
	 * @return the text as it may be logged
	 */
	static String loggable(String text) {
		StringBuilder out = null;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (needsEscape(c)) {
				if (out == null) {
					out = new StringBuilder(text.length() + 16).append(text, 0, i);
				}
				out.append(String.format("\\u%04x", (int) c));
			}
			else if (out != null) {
				out.append(c);
			}
		}
		return (out != null) ? out.toString() : text;
	}

	private static boolean needsEscape(char c) {
		int type = Character.getType(c);
		// FORMAT holds the bidirectional overrides, which reorder how the rest of a line reads.
		return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
				|| type == Character.PARAGRAPH_SEPARATOR;
	}

}
