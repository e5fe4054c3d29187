package io.securestreams.benchmarks.ws;

/**
 * One ws client the harness measures. A run opens its connections first (not timed), then
 * times the echo exchange: every connection sends a message, waits until the whole message has
 * come back, and sends the next, so exactly one message is in flight per connection.
 */
interface WsClientUnderTest extends AutoCloseable {

	/**
	 * Returns the client's name for the report.
	 * @return the name
	 */
	String name();

	/**
	 * Echoes messages over new connections to one server.
	 * @param server the server
	 * @param connections how many connections, each with one message in flight
	 * @param messages messages per connection
	 * @param size bytes per message
	 * @return nanoseconds from the first send to the last echoed byte
	 * @throws Exception when a connection fails or the echo does not complete in time
	 */
	long echo(WsServerUnderTest server, int connections, int messages, int size) throws Exception;

	@Override
	void close() throws Exception;

}
