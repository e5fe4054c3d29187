package io.securestreams.policy.json;

import java.math.BigDecimal;

/**
 * A number with a fraction or an exponent, which prints as the document wrote it. No policy key
 * takes such a number, so it only ever reaches the message that refuses it, where {@code 1e3}
 * read back as {@code 1000.0} would not be what the author looks for.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class WrittenNumber extends BigDecimal {

	private static final long serialVersionUID = 1L;

	private final String written;

	/**
	 * Reads a JSON number.
	 * @param written the number as written, in JSON's syntax
	 * @throws NumberFormatException when it is no number
	 */
	WrittenNumber(String written) {
		super(written);
		this.written = written;
	}

	@Override
	public String toString() {
		return this.written;
	}

}
