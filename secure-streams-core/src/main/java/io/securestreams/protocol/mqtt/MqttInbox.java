package io.securestreams.protocol.mqtt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import org.jspecify.annotations.Nullable;

/**
 * Receives a session's PUBLISH packets: delivers each to every attached stream whose filter
 * matches, then acknowledges it (PUBACK for QoS 1, PUBREC for QoS 2). A stream that is not
 * connected yet holds the message until its CONNECTED; the acknowledgement then waits until
 * every holding stream had it (later ones wait behind it, as acknowledgements keep the order of
 * arrival), and is never sent when the connection ends first, so the broker sends the message
 * again. A QoS 2 message is delivered when it first arrives and its packet id is remembered,
 * with the streams that had it, until the broker's PUBREL: a copy the broker sends again after
 * the PUBREC is acknowledged but not delivered, and one sent again because the connection ended
 * before the PUBREC goes only to the streams that did not have it yet.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttInbox {

	/** The QoS 2 messages taken and not released by the broker yet, by packet id. */
	private final Map<Integer, Taken> awaitingRelease = new HashMap<>();

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
		Taken taken = null;
		if (qos == 2) {
			taken = this.awaitingRelease.get(id);
			if (taken == null) {
				taken = new Taken();
				this.awaitingRelease.put(id, taken);
			}
			else if (taken.acknowledged) {
				// A copy of a message already taken and acknowledged: the PUBREC was lost.
				from.sendReply(MqttMessageType.PUBREC, id);
				return;
			}
			else if (isPending(id)) {
				// The first copy's PUBREC still waits for a stream to have it, and goes out then.
				return;
			}
			// Otherwise the broker sends it again because the connection ended before its PUBREC
			// (a sharing stream held it): it goes to the streams that have not had it yet.
		}
		PendingAck ack = new PendingAck(from, (qos == 1) ? MqttMessageType.PUBACK : MqttMessageType.PUBREC, id, taken);
		this.pending.add(ack);
		for (MqttMember member : members) {
			if (member.accepts(topic) && (taken == null || !taken.deliveredTo.contains(member.streamId()))) {
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
			// A QoS 2 message that reached no stream need not be remembered; one that reached
			// some is, so that the copy sent again reaches only the others.
			if (ack.taken != null && ack.taken.deliveredTo.isEmpty()) {
				this.awaitingRelease.remove(ack.id);
			}
		}
		this.pending.clear();
	}

	boolean isEmpty() {
		return this.awaitingRelease.isEmpty() && this.pending.isEmpty();
	}

	/** A QoS 2 message taken: the streams that had it, and whether its PUBREC went out. */
	private static final class Taken {

		private final Set<Long> deliveredTo = new HashSet<>();

		private boolean acknowledged;

	}

	/**
	 * The acknowledgement of one received QoS 1 or 2 message, sent once every stream that holds
	 * the message has had it delivered (or dropped it by leaving).
	 */
	final class PendingAck {

		private final MqttNetworkConnection from;

		private final MqttMessageType type;

		private final int id;

		// The record of a QoS 2 message; null for QoS 1.
		private final @Nullable Taken taken;

		private int holders = 1;

		private boolean cancelled;

		private PendingAck(MqttNetworkConnection from, MqttMessageType type, int id, @Nullable Taken taken) {
			this.from = from;
			this.type = type;
			this.id = id;
			this.taken = taken;
		}

		/**
		 * The message is handed to a stream's application: a QoS 2 copy the broker sends again
		 * is not delivered to that stream a second time.
		 */
		void delivered(long streamId) {
			if (this.taken != null) {
				this.taken.deliveredTo.add(streamId);
			}
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
				if (next.taken != null) {
					next.taken.acknowledged = true;
				}
				next.from.sendReply(next.type, next.id);
			}
		}

	}

}
