package io.securestreams.server.h2;

import org.slf4j.Logger;

/**
 * Logs the stream-level problems of one h2 connection (a refused request, a reset stream, a
 * stalled request): the first {@value #WARN_LIMIT} at WARN, the others at DEBUG, and when the
 * connection closes one WARN line saying how many went to DEBUG. A client can provoke one such
 * problem per stream, and Netty's codec lets it reset 200 streams in 30 s before it cuts the
 * connection off: a WARN line for each would let every connection flood the log.
 * <p>
 * Confined to the connection's event loop, which its stream channels share.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class StreamProblemLog {

	/** Stream problems of one connection logged at WARN. */
	static final int WARN_LIMIT = 3;

	private int warned;

	private int demoted;

	/**
	 * Logs one stream's problem.
	 * @param logger the logger of the class that found it
	 * @param format the message format
	 * @param arguments its arguments
	 */
	void problem(Logger logger, String format, Object... arguments) {
		if (this.warned < WARN_LIMIT) {
			this.warned++;
			logger.warn(format, arguments);
		}
		else {
			this.demoted++;
			logger.debug(format, arguments);
		}
	}

	/**
	 * The connection closed: says how many of its stream problems were logged at DEBUG, if any.
	 * @param logger the connection's logger
	 * @param connection the connection as logs name it
	 */
	void connectionClosed(Logger logger, String connection) {
		if (this.demoted > 0) {
			logger.warn("{}: {} more stream problems on this connection were logged at DEBUG only", connection,
					this.demoted);
			this.demoted = 0;
		}
	}

}
