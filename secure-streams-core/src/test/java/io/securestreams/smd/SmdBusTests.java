package io.securestreams.smd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The bus on its own: class masks, the sender included, closing, and the message form streams
 * carry.
 */
class SmdBusTests {

	private final SmdBus bus = new SmdBus();

	@Test
	void eachSubscriberGetsTheClassesOfItsMaskItsOwnMessagesIncluded() {
		List<String> network = new CopyOnWriteArrayList<>();
		List<String> networkAndUser = new CopyOnWriteArrayList<>();
		List<String> state = new CopyOnWriteArrayList<>();
		SmdBus.Subscription a = this.bus.subscribe(SmdClass.NETWORK, Runnable::run, (m) -> network.add(m.text()));
		this.bus.subscribe(SmdClass.NETWORK | SmdClass.user(0), Runnable::run, (m) -> networkAndUser.add(m.text()));
		this.bus.subscribe(SmdClass.SYSTEM_STATE, Runnable::run, (m) -> state.add(m.text()));
		assertThat(this.bus.publish(SmdClass.NETWORK, "net")).isEqualTo(2);
		assertThat(this.bus.publish(SmdClass.user(0), "user")).isEqualTo(1);
		// As libwebsockets' bus, which leaves no subscriber out, the publisher's own included.
		assertThat(this.bus.publish(new SmdMessage(SmdClass.NETWORK, 1, "from a".getBytes(StandardCharsets.UTF_8))))
			.isEqualTo(2);
		assertThat(this.bus.publish(SmdClass.METRICS, "nobody")).isZero();
		assertThat(network).containsExactly("net", "from a");
		assertThat(networkAndUser).containsExactly("net", "user", "from a");
		assertThat(state).isEmpty();
	}

	@Test
	void aSubscriberThatThrowsKeepsNeitherTheOthersNorThePublisherFromTheirMessage() {
		List<String> after = new CopyOnWriteArrayList<>();
		List<String> failing = new CopyOnWriteArrayList<>();
		this.bus.subscribe(SmdClass.NETWORK, Runnable::run, (m) -> {
			failing.add(m.text());
			throw new IllegalStateException("subscriber bug");
		});
		this.bus.subscribe(SmdClass.NETWORK, Runnable::run, (m) -> {
			throw new AssertionError("subscriber assertion");
		});
		this.bus.subscribe(SmdClass.NETWORK, Runnable::run, (m) -> after.add(m.text()));
		assertThat(this.bus.publish(SmdClass.NETWORK, "one")).isEqualTo(3);
		assertThat(this.bus.publish(SmdClass.NETWORK, "two")).isEqualTo(3);
		assertThat(after).containsExactly("one", "two");
		assertThat(failing).containsExactly("one", "two");
	}

	@Test
	void aClosedSubscriptionReceivesNothingEvenWhatWasAlreadyHandedOver() {
		List<Runnable> queued = new CopyOnWriteArrayList<>();
		List<String> received = new CopyOnWriteArrayList<>();
		SmdBus.Subscription subscription = this.bus.subscribe(SmdClass.ALL, queued::add, (m) -> received.add(m.text()));
		this.bus.publish(SmdClass.NETWORK, "queued");
		subscription.close();
		this.bus.publish(SmdClass.NETWORK, "after");
		queued.forEach(Runnable::run);
		assertThat(queued).hasSize(1);
		assertThat(received).isEmpty();
		assertThat(this.bus.subscriptions()).isZero();
	}

	@Test
	void aSubscriberThatFallsBehindLosesTheNewestMessagesNotTheBusMemory() {
		List<Runnable> queued = new CopyOnWriteArrayList<>();
		List<String> received = new CopyOnWriteArrayList<>();
		SmdBus.Subscription slow = this.bus.subscribe(SmdClass.NETWORK, queued::add, (m) -> received.add(m.text()));
		int handed = 0;
		for (int i = 0; i < SmdBus.MAX_QUEUED + 10; i++) {
			handed += this.bus.publish(SmdClass.NETWORK, "m" + i);
		}
		assertThat(handed).isEqualTo(SmdBus.MAX_QUEUED);
		assertThat(queued).hasSize(SmdBus.MAX_QUEUED);
		assertThat(slow.dropped()).isEqualTo(10);
		queued.forEach(Runnable::run);
		assertThat(received).hasSize(SmdBus.MAX_QUEUED).startsWith("m0").endsWith("m" + (SmdBus.MAX_QUEUED - 1));
		// Caught up: new messages are taken again.
		assertThat(this.bus.publish(SmdClass.NETWORK, "later")).isEqualTo(1);
	}

	@Test
	void aStreamCarriesTheClassAndTimestampBigEndianBeforeThePayload() {
		SmdMessage message = new SmdMessage(SmdClass.NETWORK, 0x0102030405060708L, new byte[] { 'h', 'i' });
		byte[] encoded = message.encode();
		assertThat(encoded).containsExactly(0, 0, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4, 5, 6, 7, 8, 'h', 'i');
		assertThat(SmdMessage.decode(ByteBuffer.wrap(encoded))).isEqualTo(message);
	}

	@Test
	void messagesBeyondTheLimitsAreRefusedWithTheReason() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.bus.publish(SmdClass.NETWORK, new byte[385]))
			.withMessageContaining("at most 384 bytes, not 385");
		assertThatIllegalArgumentException().isThrownBy(() -> this.bus.publish(0, "x"))
			.withMessageContaining("needs a class");
		assertThatIllegalArgumentException().isThrownBy(() -> SmdMessage.decode(ByteBuffer.allocate(15)))
			.withMessageContaining("16-byte class and timestamp header")
			.withMessageContaining("got 15 bytes");
		assertThatIllegalArgumentException().isThrownBy(() -> SmdMessage.decode(ByteBuffer.allocate(16 + 385)))
			.withMessageContaining("got 401 bytes");
		assertThat(SmdMessage.decode(ByteBuffer.allocate(16).putLong(0, 4)).payload()).isEmpty();
		assertThatIllegalArgumentException().isThrownBy(() -> SmdClass.user(8));
	}

}
