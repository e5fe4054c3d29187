package io.securestreams.protocol.mqtt;

import java.util.BitSet;

/**
 * Hands out MQTT packet identifiers (1..65535) that are not in use by an unacknowledged
 * PUBLISH, SUBSCRIBE or UNSUBSCRIBE of the session, round robin so a freed id is not reused at
 * once.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttPacketIds {

	static final int MAX = 65535;

	private final BitSet used = new BitSet(MAX + 1);

	private int count;

	private int last;

	/**
	 * Takes a free id.
	 * @return the id, or 0 when all 65535 are in use
	 */
	int allocate() {
		if (this.count >= MAX) {
			return 0;
		}
		int id = this.used.nextClearBit(this.last + 1);
		if (id > MAX) {
			id = this.used.nextClearBit(1);
		}
		this.used.set(id);
		this.count++;
		this.last = id;
		return id;
	}

	/**
	 * Frees an id.
	 * @param id the id
	 * @return {@code true} when every id had been in use before
	 */
	boolean release(int id) {
		if (id < 1 || id > MAX || !this.used.get(id)) {
			return false;
		}
		this.used.clear(id);
		return this.count-- == MAX;
	}

	boolean available() {
		return this.count < MAX;
	}

	int inUse() {
		return this.count;
	}

}
