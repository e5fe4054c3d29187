package io.securestreams;

/**
 * What part a stream plays.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public enum StreamRole {

	/** A client stream that makes onward connections. */
	CLIENT,

	/** A server streamtype's listener. */
	LISTENER,

	/** A connection accepted by a listener. */
	ACCEPTED,

	/** A client stream fulfilled by a Secure Streams proxy. */
	PROXIED

}
