package io.securestreams.policy;

/**
 * Receives the errors {@link PolicyValidator} finds, each with the entry at fault and where in it, on
 * the thread that validates and in the order of the list-returning methods: trust store stacks,
 * auth schemes, metrics policies, then streamtypes, each in the policy's order.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public interface PolicyProblemSink {

	/**
	 * A streamtype key is wrong.
	 * @param streamType the streamtype's name
	 * @param key the key
	 * @param message what is wrong
	 */
	void streamTypeKey(String streamType, StreamTypeKey key, String message);

	/**
	 * An entry of a trust store's stack is wrong.
	 * @param trustStore the trust store's name
	 * @param index the entry's index in the store's list of certificate names
	 * @param message what is wrong
	 */
	void stackEntry(String trustStore, int index, String message);

	/**
	 * An auth scheme's {@code streamtype} is wrong.
	 * @param scheme the auth scheme's name
	 * @param message what is wrong
	 */
	void authStreamType(String scheme, String message);

	/**
	 * A metrics policy's {@code report} is wrong.
	 * @param metrics the metrics policy's name
	 * @param message what is wrong
	 */
	void metricsReport(String metrics, String message);

}
