package io.securestreams.policy;

import org.jspecify.annotations.Nullable;

/**
 * An MQTT message fixed by the policy: the connection's will, or the lws "birth" message.
 *
 * @param topic the topic, may contain {@code ${metadata}}; {@code null} when there is no message
 * @param message the payload text, may contain {@code ${metadata}}
 * @param qos the QoS (0..2)
 * @param retain whether the broker retains it
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record MqttMessageSettings(@Nullable String topic, @Nullable String message, int qos, boolean retain) {

	/** No message. */
	public static final MqttMessageSettings NONE = new MqttMessageSettings(null, null, 0, false);

	/**
	 * Returns whether a message is configured.
	 * @return {@code true} when a topic is set
	 */
	public boolean isPresent() {
		return this.topic != null;
	}

}
