package io.securestreams.testsupport;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector reported a leaked buffer while it ran.
 * Registered for every test through JUnit's extension auto-detection.
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {

	@Override
	public void beforeAll(ExtensionContext context) {
		collect();
		RecordingLeakDetector.drain();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		List<String> leaks = new ArrayList<>();
		for (String leak : collect()) {
			if (isBrokersOwn(leak)) {
				// Visible in the test output, but not this project's leak to fail on.
				System.err.println("Ignoring a leak of the embedded Moquette broker's own buffer in "
						+ context.getDisplayName() + ":\n" + leak);
			}
			else {
				leaks.add(leak);
			}
		}
		if (!leaks.isEmpty()) {
			throw new AssertionError(leaks.size() + " Netty buffer leak(s) in " + context.getDisplayName()
					+ ":\n" + String.join("\n\n", leaks));
		}
	}

	/**
	 * Tells whether a leak report is of a buffer only the embedded Moquette broker touched: its
	 * access records name Moquette's classes and none of this project's. Moquette leaks the
	 * buffer of a PUBLISH it read when it stops, or the client's connection goes, before its
	 * session loop handled the message (its interceptor retains the message for a task its
	 * stopped executor never runs). Such a buffer belongs to the broker's own channel: this
	 * project's buffers never enter it, and a buffer a test hands the broker carries the test's
	 * frames in its records.
	 * @param leak a leak report
	 * @return {@code true} for a leak of the broker's own
	 */
	static boolean isBrokersOwn(String leak) {
		return leak.contains("io.moquette.") && !leak.contains("io.securestreams.");
	}

	/**
	 * Makes leaked buffers collectable, then allocates so that the detectors poll their queues.
	 * @return the leaks reported so far
	 */
	public static List<String> collect() {
		if (ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.DISABLED) {
			return List.of();
		}
		for (int round = 0; round < 3; round++) {
			System.gc();
			System.runFinalization();
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
			for (ByteBufAllocator allocator : new ByteBufAllocator[] { ByteBufAllocator.DEFAULT,
					PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT }) {
				for (int i = 0; i < 8; i++) {
					ByteBuf probe = (i % 2 == 0) ? allocator.directBuffer(16) : allocator.heapBuffer(16);
					probe.release();
				}
			}
		}
		return RecordingLeakDetector.drain();
	}

}
