package io.securestreams.benchmarks.h1;

import java.lang.management.ManagementFactory;

/**
 * Reads the used heap after the garbage collector has settled.
 */
final class HeapMeter {

	private HeapMeter() {
	}

	static long usedAfterGc() {
		long used = Long.MAX_VALUE;
		for (int i = 0; i < 5; i++) {
			System.gc();
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
		}
		return used;
	}

}
