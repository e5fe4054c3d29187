package io.securestreams.benchmarks.server;

/**
 * An http server that answers {@code GET /1k} with 1,024 bytes held in memory, over h2 with
 * prior knowledge and http/1.1 on one plain loopback port.
 */
interface HttpServerUnderTest extends AutoCloseable {

	/** The body every request gets. */
	byte[] BODY = new byte[1024];

	/**
	 * Returns the server's name for the report.
	 * @return the name
	 */
	String name();

	/**
	 * Returns the port the server listens on, on 127.0.0.1.
	 * @return the port
	 */
	int port();

	@Override
	void close();

}
