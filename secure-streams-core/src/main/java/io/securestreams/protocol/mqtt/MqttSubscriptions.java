package io.securestreams.protocol.mqtt;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The SUBSCRIBE and UNSUBSCRIBE packets of a session's current network connection that await
 * their SUBACK or UNSUBACK, and the stream each answer goes back to.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttSubscriptions {

	private final MqttPacketIds ids;

	private final Map<Integer, MqttMember> pending = new HashMap<>();

	MqttSubscriptions(MqttPacketIds ids) {
		this.ids = ids;
	}

	/**
	 * Sends SUBSCRIBE for a member.
	 * @return {@code false} when no packet id is free; nothing was sent
	 */
	boolean subscribe(MqttNetworkConnection on, MqttMember member, String filter, int qos) {
		int id = this.ids.allocate();
		if (id == 0) {
			return false;
		}
		this.pending.put(id, member);
		on.send(MqttPackets.subscribe(id, filter, qos));
		return true;
	}

	/**
	 * Sends UNSUBSCRIBE for a member.
	 * @return {@code false} when no packet id is free; nothing was sent
	 */
	boolean unsubscribe(MqttNetworkConnection on, MqttMember member, String filter) {
		int id = this.ids.allocate();
		if (id == 0) {
			return false;
		}
		this.pending.put(id, member);
		on.send(MqttPackets.unsubscribe(id, filter));
		return true;
	}

	void subscribed(int id, List<Integer> granted) {
		MqttMember member = take(id);
		if (member != null) {
			member.subscribed(granted.isEmpty() ? 0x80 : granted.get(0));
		}
	}

	void unsubscribed(int id) {
		MqttMember member = take(id);
		if (member != null) {
			member.unsubscribed();
		}
	}

	private @Nullable MqttMember take(int id) {
		MqttMember member = this.pending.remove(id);
		if (member != null) {
			this.ids.release(id);
		}
		return member;
	}

	/** The connection ended: no answer will come. */
	void clear() {
		for (int id : this.pending.keySet()) {
			this.ids.release(id);
		}
		this.pending.clear();
	}

}
