package io.securestreams.protocol;

import io.securestreams.StreamResult;

/**
 * What the application's {@code onTx} produced.
 *
 * @param result the callback's result
 * @param flags the flags it set
 * @param length how many bytes it wrote
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record TxResult(StreamResult result, int flags, int length) {

	/** Nothing was asked for or nothing may be sent. */
	public static final TxResult NOTHING = new TxResult(StreamResult.TX_DONT_SEND, 0, 0);

	/**
	 * Returns whether bytes or flags should go on the wire.
	 * @return {@code true} for an OK result
	 */
	public boolean send() {
		return this.result == StreamResult.OK;
	}

}
