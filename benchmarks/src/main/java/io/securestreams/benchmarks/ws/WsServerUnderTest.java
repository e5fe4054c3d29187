package io.securestreams.benchmarks.ws;

/**
 * One ws echo server the harness measures, listening on 127.0.0.1 with subprotocol
 * {@value #SUBPROTOCOL} at path {@value #PATH}. It echoes every fragment with its SOM/FIN flags.
 */
interface WsServerUnderTest extends AutoCloseable {

	/** The subprotocol both servers answer with. */
	String SUBPROTOCOL = "echo";

	/** The path the clients ask for. */
	String PATH = "/echo";

	/** The largest frame both sides accept. */
	int MAX_FRAME = 1024 * 1024;

	/**
	 * Returns the server's name for the report.
	 * @return the name
	 */
	String name();

	/**
	 * Returns the port it listens on.
	 * @return the port
	 */
	int port();

	@Override
	void close() throws Exception;

}
