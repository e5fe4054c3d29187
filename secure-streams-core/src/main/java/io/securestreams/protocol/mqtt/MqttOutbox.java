package io.securestreams.protocol.mqtt;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.securestreams.StreamState;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The QoS 1 and 2 messages of one MQTT session that await the broker's acknowledgement, and the
 * outcomes (QOS_ACK_REMOTE or QOS_NACK_REMOTE) not yet reported because their stream was not
 * connected at the time. It outlives network connections: after a reconnect that resumes the
 * session, unacknowledged messages are sent again with DUP (and PUBREL again for QoS 2 messages
 * the broker had received, until PUBCOMP or the session's end, whatever the number of sends);
 * after a reconnect to a new session, QoS 1 messages are published again and QoS 2 messages that
 * may have reached the broker fail (exactly-once cannot be kept).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttOutbox {

	private static final Logger logger = LoggerFactory.getLogger(MqttOutbox.class);

	/**
	 * A message not acknowledged after this many sends fails ("resend exhaustion"); a QoS 2 message
	 * whose PUBREC came is past it.
	 */
	static final int MAX_SENDS = 10;

	/** Receives outcomes: the owner stream id and QOS_ACK_REMOTE or QOS_NACK_REMOTE. */
	interface Outcomes {

		void report(long owner, StreamState outcome);

	}

	private final MqttPacketIds ids;

	private final Outcomes outcomes;

	private final Map<Integer, MqttOutboundMessage> inflight = new LinkedHashMap<>();

	private final Map<Long, ArrayDeque<StreamState>> unreported = new HashMap<>();

	MqttOutbox(MqttPacketIds ids, Outcomes outcomes) {
		this.ids = ids;
		this.outcomes = outcomes;
	}

	/**
	 * Publishes a QoS 1 or 2 message and remembers it until it is acknowledged.
	 * @return {@code false} when no packet id is free; nothing was sent
	 */
	boolean publish(MqttNetworkConnection connection, long owner, String topic, int qos, boolean retain,
			byte[] payload) {
		int id = this.ids.allocate();
		if (id == 0) {
			return false;
		}
		MqttOutboundMessage message = new MqttOutboundMessage(id, owner, topic, qos, retain, payload);
		this.inflight.put(id, message);
		connection.sendPublish(message, false);
		return true;
	}

	/**
	 * What makes a PUBCOMP break MQTT 3.1.1, or {@code null}: section 4.3.3 has the broker send it
	 * only in answer to PUBREL, which goes out after its PUBREC. Completing a message the broker
	 * never acknowledged receiving would report exactly-once delivery that did not happen.
	 */
	@Nullable String completionViolation(int id) {
		MqttOutboundMessage message = this.inflight.get(id);
		return (message != null && message.qos == 2 && !message.released)
				? "PUBCOMP for packet id " + id + " before its PUBREC" : null;
	}

	/**
	 * PUBACK (QoS 1) or PUBCOMP (QoS 2) arrived.
	 * @return {@code true} when this freed the last exhausted packet id
	 */
	boolean acknowledged(int id, int qos) {
		MqttOutboundMessage message = this.inflight.get(id);
		if (message == null || message.qos != qos) {
			logger.debug("ignoring an acknowledgement for unknown packet id {}", id);
			return false;
		}
		this.inflight.remove(id);
		boolean wasFull = this.ids.release(id);
		report(message, StreamState.QOS_ACK_REMOTE);
		return wasFull;
	}

	/**
	 * Takes over a message whose exchange a connection could not finish (a QoS 2 birth message cut
	 * before PUBCOMP): it keeps its packet id and completes after a resume like any other, and
	 * nobody hears of its outcome.
	 * @param message the message, already sent once
	 */
	void adopt(MqttOutboundMessage message) {
		message.owner = MqttOutboundMessage.ORPHAN;
		this.inflight.put(message.packetId, message);
	}

	/** PUBREC arrived: the broker has the QoS 2 message; release it. */
	void received(MqttNetworkConnection connection, int id) {
		MqttOutboundMessage message = this.inflight.get(id);
		if (message != null && message.qos == 2) {
			message.released = true;
		}
		// An unknown id still gets its PUBREL, so the broker can forget it (MQTT-4.3.3-1 flow).
		connection.sendPubRel(id);
	}

	/**
	 * A network connection of this session was accepted by the broker: send again what is owed.
	 * @param connection the new connection
	 * @param sameSession whether the broker resumed the session the messages were sent in
	 */
	void resend(MqttNetworkConnection connection, boolean sameSession) {
		for (MqttOutboundMessage message : List.copyOf(this.inflight.values())) {
			if (sameSession && message.released) {
				// The broker has the message and holds its id until our PUBREL: it is not capped
				// (PUBREL resends are not sends), and failing it would free an id that a new
				// message could reuse, which the broker would then drop as a duplicate.
				connection.sendPubRel(message.packetId);
			}
			else if (message.sends >= MAX_SENDS) {
				fail(message, "it was sent " + message.sends + " times without an acknowledgement");
			}
			else if (sameSession) {
				connection.sendPublish(message, true);
			}
			else if (message.qos == 1 || !message.written) {
				message.released = false;
				connection.sendPublish(message, false);
			}
			else {
				fail(message, "the broker did not resume the session, so exactly-once delivery cannot be kept");
			}
		}
	}

	private void fail(MqttOutboundMessage message, String why) {
		logger.warn("MQTT message {} (QoS {}) to '{}' failed: {}", message.packetId, message.qos, message.topic, why);
		this.inflight.remove(message.packetId);
		this.ids.release(message.packetId);
		report(message, StreamState.QOS_NACK_REMOTE);
	}

	private void report(MqttOutboundMessage message, StreamState outcome) {
		if (message.owner != MqttOutboundMessage.ORPHAN) {
			this.outcomes.report(message.owner, outcome);
		}
	}

	/** Keeps an outcome for a stream that cannot be told now. */
	void defer(long owner, StreamState outcome) {
		this.unreported.computeIfAbsent(owner, (k) -> new ArrayDeque<>()).add(outcome);
	}

	/** Takes the oldest outcome kept for a stream. */
	@Nullable StreamState nextDeferred(long owner) {
		ArrayDeque<StreamState> queue = this.unreported.get(owner);
		if (queue == null) {
			return null;
		}
		StreamState next = queue.poll();
		if (queue.isEmpty()) {
			this.unreported.remove(owner);
		}
		return next;
	}

	/** Puts back an outcome that could not be reported after all. */
	void undoNext(long owner, StreamState outcome) {
		this.unreported.computeIfAbsent(owner, (k) -> new ArrayDeque<>()).addFirst(outcome);
	}

	/**
	 * A stream was destroyed: its messages still complete with the broker, but nobody hears of it.
	 */
	void streamDestroyed(long owner) {
		ArrayDeque<StreamState> dropped = this.unreported.remove(owner);
		int orphaned = 0;
		for (MqttOutboundMessage message : this.inflight.values()) {
			if (message.owner == owner) {
				message.owner = MqttOutboundMessage.ORPHAN;
				orphaned++;
			}
		}
		if (orphaned > 0 || dropped != null) {
			logger.info("stream {} was destroyed with {} MQTT message(s) still unacknowledged and {} outcome(s) "
					+ "unreported; they will not be reported", owner, orphaned, (dropped != null) ? dropped.size() : 0);
		}
	}

	boolean isEmpty() {
		return this.inflight.isEmpty() && this.unreported.isEmpty();
	}

	int inflightCount() {
		return this.inflight.size();
	}

}
