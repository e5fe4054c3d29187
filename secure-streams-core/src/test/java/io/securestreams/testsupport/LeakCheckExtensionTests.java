package io.securestreams.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves that the leak guard every test runs under really detects a leaked buffer, and sets
 * aside only the embedded broker's own.
 */
class LeakCheckExtensionTests {

	@Test
	void aDroppedBufferIsReportedAsALeak() {
		leak();
		assertThat(LeakCheckExtension.collect()).anySatisfy((report) -> assertThat(report).contains("LEAK"));
	}

	@Test
	void onlyALeakOfTheBrokersOwnBufferIsSetAside() {
		String brokers = "LEAK: ByteBuf\n#1:\n\tio.moquette.broker.PostOffice.receivedPublishQos0(PostOffice.java:322)";
		String ours = "LEAK: ByteBuf\n#1:\n\tio.securestreams.protocol.mqtt.MqttOutbox.send(MqttOutbox.java:1)"
				+ "\n#2:\n\tio.moquette.broker.PostOffice.receivedPublishQos0(PostOffice.java:322)";
		assertThat(LeakCheckExtension.isBrokersOwn(brokers)).isTrue();
		assertThat(LeakCheckExtension.isBrokersOwn(ours)).isFalse();
		assertThat(LeakCheckExtension.isBrokersOwn("LEAK: ByteBuf\n#1:\n\tio.netty.buffer.X.y(X.java:1)")).isFalse();
	}

	private static void leak() {
		ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(64);
		buffer.writeLong(42);
		// Dropped without release(): the detector must notice once it is garbage collected.
	}

}
