package io.securestreams.protocol.mqtt;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Packet identifiers: 1..65535, never two in use at once, round robin.
 */
class MqttPacketIdsTests {

	@Test
	void handsOutEveryIdOnceThenNothingUntilOneIsFreed() {
		MqttPacketIds ids = new MqttPacketIds();
		for (int expected = 1; expected <= MqttPacketIds.MAX; expected++) {
			assertThat(ids.allocate()).isEqualTo(expected);
		}
		assertThat(ids.available()).isFalse();
		assertThat(ids.allocate()).isZero();
		assertThat(ids.release(42)).isTrue();
		assertThat(ids.allocate()).isEqualTo(42);
		assertThat(ids.release(7)).isTrue();
		assertThat(ids.release(7)).isFalse();
	}

	@Test
	void doesNotReuseAFreedIdAtOnce() {
		MqttPacketIds ids = new MqttPacketIds();
		int first = ids.allocate();
		ids.release(first);
		assertThat(ids.allocate()).isEqualTo(first + 1);
		assertThat(ids.inUse()).isEqualTo(1);
	}

}
