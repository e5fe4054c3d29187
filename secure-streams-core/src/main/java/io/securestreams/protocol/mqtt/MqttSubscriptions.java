package io.securestreams.protocol.mqtt;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SUBSCRIBE and UNSUBSCRIBE packets of a session's current network connection that await
 * their SUBACK or UNSUBACK, and who each answer goes back to.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttSubscriptions {

	private static final Logger logger = LoggerFactory.getLogger(MqttSubscriptions.class);

	/** Who sent a SUBSCRIBE or UNSUBSCRIBE and takes the broker's answer. */
	interface Answer {

		/**
		 * SUBACK arrived.
		 * @param granted per filter, in the order sent: the granted QoS, or 0x80 for a refusal
		 */
		void subscribed(List<Integer> granted);

		/** UNSUBACK arrived. */
		void unsubscribed();

	}

	// Takes the answers of an abandoned request, so that they only free the packet id.
	private static final Answer ABANDONED = new Answer() {

		@Override
		public void subscribed(List<Integer> granted) {
		}

		@Override
		public void unsubscribed() {
		}

	};

	private final MqttPacketIds ids;

	private final Runnable freedWhenFull;

	private final Map<Integer, Answer> pending = new HashMap<>();

	// The ids in pending that were sent with SUBSCRIBE (the others with UNSUBSCRIBE), with the
	// number of topic filters each carried: an answer of the other kind with the same id is not
	// theirs and must not consume the wait, and a SUBACK holds one return code per filter.
	private final Map<Integer, Integer> subscribes = new HashMap<>();

	/**
	 * @param ids the session's packet ids
	 * @param freedWhenFull run when an answer frees an id while every id was in use, so that
	 * streams waiting for one can send again
	 */
	MqttSubscriptions(MqttPacketIds ids, Runnable freedWhenFull) {
		this.ids = ids;
		this.freedWhenFull = freedWhenFull;
	}

	/**
	 * Sends one SUBSCRIBE for the filters, all with the same QoS.
	 * @return {@code false} when no packet id is free; nothing was sent
	 */
	boolean subscribe(MqttNetworkConnection on, Answer answer, List<String> filters, int qos) {
		int id = this.ids.allocate();
		if (id == 0) {
			return false;
		}
		this.pending.put(id, answer);
		this.subscribes.put(id, filters.size());
		on.send(MqttPackets.subscribe(id, filters, qos));
		return true;
	}

	/**
	 * Sends one UNSUBSCRIBE for the filters.
	 * @return {@code false} when no packet id is free; nothing was sent
	 */
	boolean unsubscribe(MqttNetworkConnection on, Answer answer, List<String> filters) {
		int id = this.ids.allocate();
		if (id == 0) {
			return false;
		}
		this.pending.put(id, answer);
		on.send(MqttPackets.unsubscribe(id, filters));
		return true;
	}

	/**
	 * Stops passing answers to {@code answer}, which no longer waits for them. Its packet ids
	 * stay taken until the answer comes or the connection ends: a late UNSUBACK must not be read
	 * as the answer to a new packet that reused the id.
	 */
	void abandon(Answer answer) {
		this.pending.replaceAll((id, waiting) -> (waiting == answer) ? ABANDONED : waiting);
	}

	/**
	 * What makes a SUBACK break MQTT 3.1.1, or {@code null}: section 3.9.3 gives it one return
	 * code per topic filter of its SUBSCRIBE, each 0, 1, 2 or 0x80 (Netty's decoder gives null for
	 * a code it does not know, so {@code granted} may hold nulls). A SUBACK that answers no
	 * pending SUBSCRIBE is not judged here (it is ignored).
	 */
	@Nullable String subAckViolation(int id, List<@Nullable Integer> granted) {
		Integer filters = this.subscribes.get(id);
		if (filters == null) {
			return null;
		}
		if (granted.size() != filters) {
			return "SUBACK for packet id " + id + " holds " + granted.size() + " return codes for " + filters
					+ " topic filters";
		}
		for (Integer code : granted) {
			// Netty's decoder gives null for a code it does not know.
			if (code == null || (code > 2 && code != 0x80)) {
				return "SUBACK for packet id " + id + " holds a return code that is none of 0, 1, 2 and 0x80 ("
						+ ((code != null) ? code : "unknown") + ")";
			}
		}
		return null;
	}

	void subscribed(int id, List<@Nullable Integer> granted) {
		if (this.subscribes.remove(id) == null) {
			logger.warn("ignoring a SUBACK for packet id {}, which awaits no SUBACK", id);
			return;
		}
		Answer answer = this.pending.remove(id);
		if (answer != null) {
			boolean wasFull = this.ids.release(id);
			answer.subscribed(List.copyOf(granted));
			freed(wasFull);
		}
	}

	void unsubscribed(int id) {
		if (!this.pending.containsKey(id) || this.subscribes.containsKey(id)) {
			logger.warn("ignoring an UNSUBACK for packet id {}, which awaits no UNSUBACK", id);
			return;
		}
		Answer answer = this.pending.remove(id);
		if (answer != null) {
			boolean wasFull = this.ids.release(id);
			answer.unsubscribed();
			freed(wasFull);
		}
	}

	private void freed(boolean wasFull) {
		if (wasFull) {
			this.freedWhenFull.run();
		}
	}

	/** The connection ended: no answer will come. */
	void clear() {
		for (int id : this.pending.keySet()) {
			this.ids.release(id);
		}
		this.pending.clear();
		this.subscribes.clear();
	}

}
