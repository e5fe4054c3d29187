package io.securestreams.protocol.mqtt;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.securestreams.SecureStreamsException;
import io.securestreams.metadata.MetadataTemplate;
import io.securestreams.policy.MqttMessageSettings;
import io.securestreams.policy.MqttSettings;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypePolicy;
import org.jspecify.annotations.Nullable;

/**
 * The checks made when a stream of an MQTT streamtype is created: its topic templates only name
 * declared metadata and are valid topics or filters, and every other streamtype of the policy
 * that would share its broker connection asks for the same keep-alive, clean start, will and
 * birth. A policy change that would make two such streamtypes disagree is refused.
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
		for (StreamTypePolicy other : policy.streamTypes().values()) {
			String conflict = other.name().equals(streamType.name()) ? null : conflict(streamType, other);
			if (conflict != null) {
				throw new SecureStreamsException(conflict);
			}
		}
	}

	/**
	 * Finds the pairs of streamtypes that would share one connection but disagree on its settings
	 * in the policy a change makes, and did not in the policy in force: the change is refused, so
	 * that the live streams of the changed streamtype, which take the change at their next
	 * connection, do not meet a connection they cannot join.
	 * @param before the policy in force
	 * @param after the policy the change makes
	 * @return a problem for each such pair
	 */
	static List<PolicyProblem> conflictsIntroduced(Policy before, Policy after) {
		List<StreamTypePolicy> clients = after.streamTypes()
			.values()
			.stream()
			.filter((streamType) -> streamType.protocol() == Protocol.MQTT && !streamType.server())
			.toList();
		List<PolicyProblem> problems = new ArrayList<>();
		for (int i = 0; i < clients.size(); i++) {
			for (int j = i + 1; j < clients.size(); j++) {
				StreamTypePolicy first = clients.get(i);
				StreamTypePolicy second = clients.get(j);
				String conflict = conflict(first, second);
				if (conflict != null && !conflicted(before, first.name(), second.name())) {
					// Named at the streamtype the change touched, which the change's document holds.
					StreamTypePolicy changed = first.equals(before.streamType(first.name())) ? second : first;
					problems.add(PolicyProblem.error("s." + changed.name(), conflict));
				}
			}
		}
		return problems;
	}

	private static boolean conflicted(Policy policy, String first, String second) {
		StreamTypePolicy a = policy.streamType(first);
		StreamTypePolicy b = policy.streamType(second);
		return a != null && b != null && conflict(a, b) != null;
	}

	// Why two streamtypes cannot share the connection they would share, or null.
	private static @Nullable String conflict(StreamTypePolicy streamType, StreamTypePolicy other) {
		if (streamType.protocol() != Protocol.MQTT || other.protocol() != Protocol.MQTT || streamType.server()
				|| other.server()) {
			return null;
		}
		MqttSharing sharing = MqttSharing.of(streamType);
		if (!MqttSharing.of(other).equals(sharing)) {
			return null;
		}
		String difference = difference(streamType.mqtt(), other.mqtt());
		return (difference != null) ? "streamtypes '" + streamType.name() + "' and '" + other.name()
				+ "' share one MQTT connection to " + sharing + " but disagree on " + difference
				+ "; streamtypes that share a connection must have identical mqtt_keep_alive, "
				+ "mqtt_clean_start, mqtt_will_* and mqtt_birth_* settings" : null;
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
