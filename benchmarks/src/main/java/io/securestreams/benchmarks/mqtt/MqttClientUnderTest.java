package io.securestreams.benchmarks.mqtt;

/**
 * One MQTT client the harness measures. Each client keeps one connection to the broker (clean
 * session) for the whole run and uses topics of its own.
 */
interface MqttClientUnderTest extends AutoCloseable {

	/**
	 * Returns the client's name for the report.
	 * @return the name
	 */
	String name();

	/**
	 * Publishes {@code count} messages at QoS 0, then one QoS 1 message on the same connection,
	 * and returns when that message's PUBACK has arrived: the broker reads a connection's packets
	 * in order, so by then it has taken every QoS 0 message.
	 * @param count how many QoS 0 messages
	 * @param window the most messages a client whose API reports QoS 0 completion may have
	 * unwritten (a client without such reports relies on its own write backpressure)
	 * @return nanoseconds from the first publish to the PUBACK
	 * @throws Exception when publishing fails
	 */
	long publishQos0(int count, int window) throws Exception;

	/**
	 * Publishes {@code count} messages at QoS 1 with at most {@code window} unacknowledged, and
	 * returns when every PUBACK has arrived.
	 * @param count how many messages
	 * @param window the most unacknowledged messages
	 * @return nanoseconds from the first publish to the last PUBACK
	 * @throws Exception when publishing fails
	 */
	long publishQos1(int count, int window) throws Exception;

	/**
	 * Publishes {@code count} messages at QoS 1, one at a time, to a topic the client subscribes
	 * to at QoS 1, each after the previous one came back.
	 * @param count how many round trips
	 * @return the time of each, from the publish call to the delivery, in nanoseconds
	 * @throws Exception when a round trip fails
	 */
	long[] roundTrips(int count) throws Exception;

	@Override
	void close() throws Exception;

}
