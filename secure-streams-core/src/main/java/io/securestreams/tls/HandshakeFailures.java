package io.securestreams.tls;

import java.nio.channels.ClosedChannelException;

import org.slf4j.Logger;

/**
 * Logs a listener's failed TLS handshake. A peer that closes before the handshake ends is routine
 * (a health check, a client that gives up), so it is a debug line saying so; any other failure is
 * a warning naming it. Netty reports the close as a {@link ClosedChannelException} without a
 * message, which a plain warning printed as "null" each time.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class HandshakeFailures {

	private HandshakeFailures() {
	}

	/**
	 * Logs a failed handshake of an accepted connection.
	 * @param logger the listener's logger
	 * @param connection describes the connection, for the start of the line
	 * @param cause why the handshake failed
	 */
	public static void log(Logger logger, Object connection, Throwable cause) {
		if (cause instanceof ClosedChannelException) {
			logger.debug("{}: the peer closed the connection during the TLS handshake", connection);
			return;
		}
		String message = cause.getMessage();
		logger.warn("{}: cutting off the connection: TLS handshake failed: {}", connection,
				(message != null) ? message : cause.toString());
	}

}
