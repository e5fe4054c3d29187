package io.securestreams.internal;

import java.time.Instant;

/**
 * What a stream counts for monitoring ({@link io.securestreams.StreamInfo}): the payload bytes
 * that went to and came from the handler, when the current state was reported, and the status of
 * the last http response. Written on the
 * stream's event loop only, so the unsynchronized increments are safe; read from any thread.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class StreamStatistics {

	private volatile long bytesIn;

	private volatile long bytesOut;

	private volatile long stateSinceMillis = System.currentTimeMillis();

	private volatile int httpStatus;

	void received(int length) {
		this.bytesIn += length;
	}

	void sent(int length) {
		this.bytesOut += length;
	}

	void stateReported() {
		this.stateSinceMillis = System.currentTimeMillis();
	}

	void httpStatus(int status) {
		this.httpStatus = status;
	}

	int httpStatus() {
		return this.httpStatus;
	}

	long bytesIn() {
		return this.bytesIn;
	}

	long bytesOut() {
		return this.bytesOut;
	}

	Instant stateSince() {
		return Instant.ofEpochMilli(this.stateSinceMillis);
	}

}
