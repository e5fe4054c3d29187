package io.securestreams.protocol.mqtt;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;

/**
 * Receives a session's PUBLISH packets: delivers each to every attached stream whose filter
 * matches, then acknowledges it (PUBACK for QoS 1, PUBREC for QoS 2). A stream that is not
 * connected yet holds the message until its CONNECTED; the acknowledgement then waits until
 * every holding stream had it (later ones wait behind it, as acknowledgements keep the order of
 * arrival), and is never sent when the connection ends first, so the broker sends the message
 * again. A QoS 2 message is delivered when it first arrives and its packet id
 * is remembered until the broker's PUBREL, so a copy the broker sends again before that is
 * acknowledged but not delivered twice.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttInbox {

	private final Set<Integer> awaitingRelease = new HashSet<>();

	/** Acknowledgements of the current connection not sent yet, in the order the messages arrived. */
	private final List<PendingAck> pending = new ArrayList<>();

	void received(MqttNetworkConnection from, MqttPublishMessage publish, List<MqttMember> members) {
		String topic = publish.variableHeader().topicName();
		int qos = publish.fixedHeader().qosLevel().value();
		int id = publish.variableHeader().packetId();
		if (qos == 0) {
			for (MqttMember member : members) {
				if (member.accepts(topic)) {
					member.deliver(topic, publish.content(), null);
				}
			}
			return;
		}
		if (qos == 2 && !this.awaitingRelease.add(id)) {
			// A copy of a message already taken: acknowledge it, unless the first copy's
			// acknowledgement still waits for a stream to have it.
			if (!isPending(id)) {
				from.sendReply(MqttMessageType.PUBREC, id);
			}
			return;
		}
		PendingAck ack = new PendingAck(from, (qos == 1) ? MqttMessageType.PUBACK : MqttMessageType.PUBREC, id);
		this.pending.add(ack);
		for (MqttMember member : members) {
			if (member.accepts(topic)) {
				member.deliver(topic, publish.content(), ack);
			}
		}
		// Releases the hold taken at creation: sends now unless a stream holds the message.
		ack.done();
	}

	private boolean isPending(int id) {
		for (PendingAck ack : this.pending) {
			if (ack.id == id && ack.type == MqttMessageType.PUBREC) {
				return true;
			}
		}
		return false;
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

	/**
	 * The network connection ended: the acknowledgements still waiting are never sent, so the
	 * broker sends those messages again, and a QoS 2 copy sent again must then be delivered.
	 */
	void connectionEnded() {
		for (PendingAck ack : this.pending) {
			ack.cancelled = true;
			if (ack.type == MqttMessageType.PUBREC) {
				this.awaitingRelease.remove(ack.id);
			}
		}
		this.pending.clear();
	}

	boolean isEmpty() {
		return this.awaitingRelease.isEmpty() && this.pending.isEmpty();
	}

	/**
	 * The acknowledgement of one received QoS 1 or 2 message, sent once every stream that holds
	 * the message has had it delivered (or dropped it by leaving).
	 */
	final class PendingAck {

		private final MqttNetworkConnection from;

		private final MqttMessageType type;

		private final int id;

		private int holders = 1;

		private boolean cancelled;

		private PendingAck(MqttNetworkConnection from, MqttMessageType type, int id) {
			this.from = from;
			this.type = type;
			this.id = id;
		}

		/** A stream keeps the message for later; the acknowledgement waits for it. */
		void hold() {
			this.holders++;
		}

		/** A holder delivered or dropped the message. */
		void done() {
			if (this.cancelled || --this.holders > 0) {
				return;
			}
			// MQTT 3.1.1 section 4.6: acknowledgements go out in the order the messages arrived,
			// so one that is ready waits behind an older one still held.
			List<PendingAck> queue = MqttInbox.this.pending;
			while (!queue.isEmpty() && queue.get(0).holders == 0) {
				PendingAck next = queue.remove(0);
				next.from.sendReply(next.type, next.id);
			}
		}

	}

}
