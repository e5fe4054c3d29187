package io.securestreams.benchmarks.h1;

/**
 * One http client the harness measures. Every method runs whole transactions and returns when
 * they are all done; a failed transaction throws.
 */
interface HttpClientUnderTest extends AutoCloseable {

	/**
	 * Returns the client's name for the report.
	 * @return the name
	 */
	String name();

	/**
	 * Runs GETs of a path over kept-alive connections, {@code concurrency} at a time.
	 * @param path the path
	 * @param transactions how many GETs in total
	 * @param concurrency how many in flight
	 * @return body bytes received
	 * @throws Exception when a transaction fails
	 */
	long get(String path, int transactions, int concurrency) throws Exception;

	/**
	 * Runs GETs one after another, each on a new TLS connection. The harness calls it for
	 * http/1.1 only: over h2 this runtime cannot be made to open a connection per transaction.
	 * @param path the path
	 * @param transactions how many
	 * @throws Exception when a transaction fails
	 */
	void getOnNewConnections(String path, int transactions) throws Exception;

	@Override
	void close() throws Exception;

}
