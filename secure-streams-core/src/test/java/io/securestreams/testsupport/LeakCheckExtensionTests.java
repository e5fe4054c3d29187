package io.securestreams.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves that the leak guard every test runs under really detects a leaked buffer.
 */
class LeakCheckExtensionTests {

	@Test
	void aDroppedBufferIsReportedAsALeak() {
		leak();
		assertThat(LeakCheckExtension.collect()).anySatisfy((report) -> assertThat(report).contains("LEAK"));
	}

	private static void leak() {
		ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(64);
		buffer.writeLong(42);
		// Dropped without release(): the detector must notice once it is garbage collected.
	}

}
