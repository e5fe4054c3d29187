package io.securestreams.benchmarks.mqtt;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * A run of sequential round trips for the third-party clients: publishes, and when the message
 * comes back through the subscription, records the time and publishes the next one from the
 * client's delivery thread.
 */
final class RoundTripRun {

	private final long[] times;

	private final IntConsumer publish;

	private final int size;

	private final CompletableFuture<long[]> done = new CompletableFuture<>();

	private volatile long sentAt;

	private int received;

	RoundTripRun(int count, IntConsumer publish, int size) {
		this.times = new long[count];
		this.publish = publish;
		this.size = size;
	}

	long[] run() throws Exception {
		this.sentAt = System.nanoTime();
		this.publish.accept(0);
		return this.done.get(10, TimeUnit.MINUTES);
	}

	/** A delivery arrived at {@code now}. */
	void received(long now, int length) {
		if (this.done.isDone()) {
			return;
		}
		if (length != this.size) {
			this.done.completeExceptionally(new IllegalStateException("received " + length + " bytes"));
			return;
		}
		this.times[this.received++] = now - this.sentAt;
		if (this.received == this.times.length) {
			this.done.complete(this.times);
			return;
		}
		try {
			this.sentAt = System.nanoTime();
			this.publish.accept(this.received);
		}
		catch (RuntimeException ex) {
			this.done.completeExceptionally(ex);
		}
	}

}
