package io.securestreams;

/**
 * What a handler callback asks the runtime to do next. The values are those of
 * libwebsockets' {@code lws_ss_state_return_t}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public enum StreamResult {

	/** Continue; from {@code tx}, send what was written. */
	OK(0),

	/** From {@code tx}: send nothing this time. */
	TX_DONT_SEND(1),

	/** Close the current connection; the stream object survives and follows its retry rules. */
	DISCONNECT_ME(-1),

	/** Destroy the stream once the callback has returned. */
	DESTROY_ME(-2);

	private final int value;

	StreamResult(int value) {
		this.value = value;
	}

	/**
	 * Returns the libwebsockets numeric value.
	 * @return the value
	 */
	public int value() {
		return this.value;
	}

}
