package io.securestreams.protocol.mqtt;

import java.nio.charset.StandardCharsets;

import io.securestreams.metadata.MetadataValues;
import io.securestreams.policy.MqttMessageSettings;
import io.securestreams.policy.MqttSettings;
import io.securestreams.policy.StreamTypePolicy;

/**
 * The connection-level MQTT settings a network connection is opened with, after
 * {@code ${metadata}} expansion. Every stream sharing a connection must ask for equal options.
 *
 * @param keepAliveSeconds the CONNECT keep-alive, 0 for none
 * @param cleanStart the CONNECT clean session flag
 * @param will the will, expanded; {@link MqttMessageSettings#NONE} for none
 * @param birth the birth message, expanded; {@link MqttMessageSettings#NONE} for none
 * @author Secure Streams contributors
 * @since 0.1.0
 */
record MqttConnectOptions(int keepAliveSeconds, boolean cleanStart, MqttMessageSettings will,
		MqttMessageSettings birth) {

	/** Keep-alive used when the policy has no {@code mqtt_keep_alive}. */
	static final int DEFAULT_KEEP_ALIVE_SECONDS = 60;

	static int keepAlive(MqttSettings settings) {
		return (settings.keepAlive() != null) ? settings.keepAlive() : DEFAULT_KEEP_ALIVE_SECONDS;
	}

	/**
	 * Builds the options of a streamtype, expanding topics and payloads with the stream's metadata.
	 * @param policy the streamtype
	 * @param metadata the stream's metadata
	 * @return the options
	 * @throws IllegalArgumentException when an expansion fails or a topic is invalid
	 */
	static MqttConnectOptions of(StreamTypePolicy policy, MetadataValues metadata) {
		MqttSettings mqtt = policy.mqtt();
		MqttMessageSettings will = expand(mqtt.will(), metadata, "mqtt_will_topic");
		// The birth message is a PUBLISH payload, of any length; the will's has a two-byte length.
		MqttClientProtocol.checkConnectField("mqtt_will_message",
				String.valueOf(will.message()).getBytes(StandardCharsets.UTF_8).length);
		MqttMessageSettings birth = expand(mqtt.birth(), metadata, "mqtt_birth_topic");
		return new MqttConnectOptions(keepAlive(mqtt), mqtt.cleanStart(), will, birth);
	}

	private static MqttMessageSettings expand(MqttMessageSettings message, MetadataValues metadata,
			String topicKey) {
		if (!message.isPresent()) {
			return MqttMessageSettings.NONE;
		}
		String topic = metadata.expand(message.topic());
		try {
			MqttTopics.checkTopicName(topic);
		}
		catch (IllegalArgumentException ex) {
			// The will and birth topics are both topic names, maybe from the same metadata: say which.
			throw new IllegalArgumentException(topicKey + " \"" + message.topic() + "\": " + ex.getMessage(), ex);
		}
		String payload = metadata.expand(message.message());
		return new MqttMessageSettings(topic, (payload != null) ? payload : "", message.qos(), message.retain());
	}

	/**
	 * Names the first setting that differs from another options value, for error messages.
	 * @param other the options of the connection
	 * @return a description such as {@code mqtt_keep_alive 30 vs 60}
	 */
	String difference(MqttConnectOptions other) {
		if (this.keepAliveSeconds != other.keepAliveSeconds) {
			return "mqtt_keep_alive " + this.keepAliveSeconds + " vs " + other.keepAliveSeconds;
		}
		if (this.cleanStart != other.cleanStart) {
			return "mqtt_clean_start " + this.cleanStart + " vs " + other.cleanStart;
		}
		if (!this.will.equals(other.will)) {
			return "mqtt_will_* " + describe(this.will) + " vs " + describe(other.will);
		}
		return "mqtt_birth_* " + describe(this.birth) + " vs " + describe(other.birth);
	}

	private static String describe(MqttMessageSettings message) {
		return message.isPresent() ? "(topic \"" + message.topic() + "\", message \"" + message.message() + "\", qos "
				+ message.qos() + ", retain " + message.retain() + ")" : "(none)";
	}

}
