package io.securestreams.proxy.client;

/**
 * How far a proxied stream's current link to the proxy got, after libwebsockets' client states
 * ({@code LPCSCLI_*}).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
enum LinkPhase {

	/** No link; one is being retried. */
	IDLE,
	/** The socket is connecting. */
	CONNECTING,
	/** STREAMTYPE sent, waiting for CREATE_RESULT. */
	WAITING_CREATE_RESULT,
	/** The proxy created its stream; the onward connection is not up. */
	LOCAL_CONNECTED,
	/** The onward stream reported CONNECTED; payload may flow. */
	OPERATIONAL;

	/**
	 * Returns whether the proxy created its stream on this link, so that metadata, length hints
	 * and the proxy's reports may travel.
	 * @return {@code true} from LOCAL_CONNECTED on
	 */
	boolean created() {
		return this == LOCAL_CONNECTED || this == OPERATIONAL;
	}

}
