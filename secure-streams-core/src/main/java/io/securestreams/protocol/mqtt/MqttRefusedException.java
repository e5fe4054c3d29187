package io.securestreams.protocol.mqtt;

/**
 * The broker answered CONNECT with a CONNACK that refuses the connection (bad credentials,
 * client id rejected, not authorized, server unavailable).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttRefusedException extends Exception {

	private static final long serialVersionUID = 1L;

	MqttRefusedException(String message) {
		super(message, null, false, false);
	}

}
