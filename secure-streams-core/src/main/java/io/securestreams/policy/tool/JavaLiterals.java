package io.securestreams.policy.tool;

/**
 * Java source literals for generated code. Output is plain ASCII; line terminators and other
 * control characters use octal or named escapes, never {@code \\u} escapes, which javac would
 * translate before reading the string.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class JavaLiterals {

	// Well below the 65535-byte limit of one class-file constant.
	private static final int MAX_CONSTANT_CHARS = 8192;

	private JavaLiterals() {
	}

	/**
	 * Returns a Java expression for a string; long strings are joined at run time because javac
	 * would fold a constant concatenation back into one over-long constant.
	 * @param value the string
	 * @return the expression
	 */
	static String string(String value) {
		if (value.length() <= MAX_CONSTANT_CHARS) {
			return quote(value);
		}
		StringBuilder join = new StringBuilder("java.lang.String.join(\"\"");
		int start = 0;
		while (start < value.length()) {
			int end = Math.min(start + MAX_CONSTANT_CHARS, value.length());
			// Never split a surrogate pair between two literals.
			if (end < value.length() && Character.isHighSurrogate(value.charAt(end - 1))) {
				end--;
			}
			join.append(", ").append(quote(value.substring(start, end)));
			start = end;
		}
		return join.append(')').toString();
	}

	static String quote(String value) {
		StringBuilder text = new StringBuilder(value.length() + 2).append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '"' -> text.append("\\\"");
				case '\\' -> text.append("\\\\");
				case '\n' -> text.append("\\n");
				case '\r' -> text.append("\\r");
				case '\t' -> text.append("\\t");
				case '\b' -> text.append("\\b");
				case '\f' -> text.append("\\f");
				default -> {
					if (c < 0x20 || c == 0x7f) {
						text.append(String.format("\\%03o", (int) c));
					}
					else if (c > 0x7f) {
						text.append(String.format("\\u%04x", (int) c));
					}
					else {
						text.append(c);
					}
				}
			}
		}
		return text.append('"').toString();
	}

}
