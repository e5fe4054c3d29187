package io.securestreams.protocol.mqtt;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;

/**
 * Receives a session's PUBLISH packets: delivers each to every attached stream whose filter
 * matches, then acknowledges it (PUBACK for QoS 1, PUBREC for QoS 2). A QoS 2 message is
 * delivered when it first arrives and its packet id is remembered until the broker's PUBREL,
 * so a copy the broker sends again before that is acknowledged but not delivered twice.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttInbox {

	private final Set<Integer> awaitingRelease = new HashSet<>();

	void received(MqttNetworkConnection from, MqttPublishMessage publish, List<MqttMember> members) {
		String topic = publish.variableHeader().topicName();
		int qos = publish.fixedHeader().qosLevel().value();
		int id = publish.variableHeader().packetId();
		if (qos < 2 || this.awaitingRelease.add(id)) {
			for (MqttMember member : members) {
				if (member.accepts(topic)) {
					member.deliver(topic, publish.content());
				}
			}
		}
		if (qos == 1) {
			from.sendReply(MqttMessageType.PUBACK, id);
		}
		else if (qos == 2) {
			from.sendReply(MqttMessageType.PUBREC, id);
		}
	}

	/** PUBREL from the broker: the inbound QoS 2 message is complete. */
	void released(MqttNetworkConnection from, int id) {
		this.awaitingRelease.remove(id);
		from.sendReply(MqttMessageType.PUBCOMP, id);
	}

	/** The broker started a new session: it will not send PUBREL for the old one. */
	void sessionLost() {
		this.awaitingRelease.clear();
	}

	boolean isEmpty() {
		return this.awaitingRelease.isEmpty();
	}

}
