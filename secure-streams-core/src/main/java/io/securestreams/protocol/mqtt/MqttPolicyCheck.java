package io.securestreams.protocol.mqtt;

import java.util.Objects;

import io.securestreams.SecureStreamsException;
import io.securestreams.metadata.MetadataTemplate;
import io.securestreams.policy.MqttMessageSettings;
import io.securestreams.policy.MqttSettings;
import io.securestreams.policy.Policy;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypePolicy;
import org.jspecify.annotations.Nullable;

/**
 * The checks made when a stream of an MQTT streamtype is created: its topic templates only name
 * declared metadata and are valid topics or filters, and every other streamtype of the policy
 * that would share its broker connection asks for the same keep-alive, clean start, will and
 * birth.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttPolicyCheck {

	/** What a template expands to. */
	private enum Kind {

		/** A will or birth topic. */
		TOPIC,
		/** {@code mqtt_topic}, which also follows the {@code aws_iot} limits. */
		STREAM_TOPIC,
		/** {@code mqtt_subscribe}. */
		FILTER,
		/** A will or birth message. */
		PAYLOAD

	}

	private MqttPolicyCheck() {
	}

	static void check(Policy policy, StreamTypePolicy streamType) {
		MqttSettings mqtt = streamType.mqtt();
		template(streamType, "mqtt_topic", mqtt.topic(), Kind.STREAM_TOPIC);
		template(streamType, "mqtt_subscribe", mqtt.subscribe(), Kind.FILTER);
		template(streamType, "mqtt_will_topic", mqtt.will().topic(), Kind.TOPIC);
		template(streamType, "mqtt_will_message", mqtt.will().message(), Kind.PAYLOAD);
		template(streamType, "mqtt_birth_topic", mqtt.birth().topic(), Kind.TOPIC);
		template(streamType, "mqtt_birth_message", mqtt.birth().message(), Kind.PAYLOAD);
		MqttSharing sharing = MqttSharing.of(streamType);
		for (StreamTypePolicy other : policy.streamTypes().values()) {
			if (other.name().equals(streamType.name()) || other.protocol() != Protocol.MQTT || other.server()
					|| !MqttSharing.of(other).equals(sharing)) {
				continue;
			}
			String difference = difference(mqtt, other.mqtt());
			if (difference != null) {
				throw new SecureStreamsException("streamtypes '" + streamType.name() + "' and '" + other.name()
						+ "' share one MQTT connection to " + sharing + " but disagree on " + difference
						+ "; streamtypes that share a connection must have identical mqtt_keep_alive, "
						+ "mqtt_clean_start, mqtt_will_* and mqtt_birth_* settings");
			}
		}
	}

	private static void template(StreamTypePolicy streamType, String key, @Nullable String template, Kind kind) {
		if (template == null || (kind == Kind.FILTER && template.isEmpty())) {
			return;
		}
		String probe;
		try {
			probe = MetadataTemplate.expand(template, (name) -> "x", (name) -> streamType.metadata(name) != null);
		}
		catch (IllegalArgumentException ex) {
			throw new SecureStreamsException("streamtype '" + streamType.name() + "': " + key + ": " + ex.getMessage(),
					ex);
		}
		if (kind == Kind.PAYLOAD || template.contains("${")) {
			// A topic that depends on metadata is checked when it is expanded, at connect or send time.
			return;
		}
		try {
			boolean awsIot = streamType.mqtt().awsIot();
			if (kind == Kind.FILTER) {
				MqttTopics.checkStreamFilter(probe, awsIot);
			}
			else if (kind == Kind.STREAM_TOPIC) {
				MqttTopics.checkStreamTopic(probe, awsIot);
			}
			else {
				MqttTopics.checkTopicName(probe);
			}
		}
		catch (IllegalArgumentException ex) {
			throw new SecureStreamsException("streamtype '" + streamType.name() + "': " + key + ": " + ex.getMessage(),
					ex);
		}
	}

	private static @Nullable String difference(MqttSettings mine, MqttSettings theirs) {
		int keepAlive = MqttConnectOptions.keepAlive(mine);
		int otherKeepAlive = MqttConnectOptions.keepAlive(theirs);
		if (keepAlive != otherKeepAlive) {
			return "mqtt_keep_alive (" + keepAlive + " vs " + otherKeepAlive + ")";
		}
		if (mine.cleanStart() != theirs.cleanStart()) {
			return "mqtt_clean_start (" + mine.cleanStart() + " vs " + theirs.cleanStart() + ")";
		}
		if (!same(mine.will(), theirs.will())) {
			return "the will (mqtt_will_*)";
		}
		if (!same(mine.birth(), theirs.birth())) {
			return "the birth message (mqtt_birth_*)";
		}
		return null;
	}

	private static boolean same(MqttMessageSettings a, MqttMessageSettings b) {
		if (!a.isPresent() && !b.isPresent()) {
			return true;
		}
		return Objects.equals(a, b);
	}

}
