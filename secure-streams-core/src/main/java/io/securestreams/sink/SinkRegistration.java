package io.securestreams.sink;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.securestreams.StreamHandler;

/**
 * A handler registered as the local sink of a streamtype. Closing the registration removes the
 * sink: every pair it serves is disconnected (the sink streams are destroyed, the source streams
 * see DISCONNECTED), and new sources of the streamtype can no longer be created until another
 * sink is registered. A source joining from another thread while it closes is either among the
 * pairs disconnected or not paired at all (its creation fails, or a rejoin is UNREACHABLE).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SinkRegistration implements AutoCloseable {

	private final String streamType;

	private final StreamHandler handler;

	private final LocalSinks sinks;

	private final Set<LocalStream> sinkStreams = ConcurrentHashMap.newKeySet();

	// Guarded by this, with the joins: a sink stream either joins before close() takes the set, and
	// is destroyed by it, or finds the registration closed and is not served at all.
	private boolean closed;

	SinkRegistration(String streamType, StreamHandler handler, LocalSinks sinks) {
		this.streamType = streamType;
		this.handler = handler;
		this.sinks = sinks;
	}

	/**
	 * Returns the streamtype the sink serves.
	 * @return the streamtype name
	 */
	public String streamType() {
		return this.streamType;
	}

	/**
	 * Returns how many sources the sink serves now.
	 * @return the number of live pairs
	 */
	public int joined() {
		return this.sinkStreams.size();
	}

	StreamHandler handler() {
		return this.handler;
	}

	/**
	 * Adds a sink stream, already paired with its source, unless the registration was closed
	 * meanwhile (sources are paired on other threads than the one that closes).
	 * @param sink the sink stream
	 * @return {@code false} when closed: the caller must undo the pair
	 */
	synchronized boolean join(LocalStream sink) {
		if (this.closed) {
			return false;
		}
		// A sink destroyed meanwhile (from its CREATING callback, or by another thread) has parted
		// already, before its loop ran this far: listed now, it would stay for the sink's life.
		if (!sink.isDestroyed()) {
			this.sinkStreams.add(sink);
		}
		return true;
	}

	// Synchronized with join: a sink that parts after being marked destroyed is either removed
	// here or seen destroyed by a join that comes later.
	synchronized void parted(LocalStream sink) {
		this.sinkStreams.remove(sink);
	}

	/**
	 * Unregisters the sink and disconnects the pairs it serves.
	 */
	@Override
	public void close() {
		List<LocalStream> serving;
		synchronized (this) {
			if (this.closed) {
				return;
			}
			this.closed = true;
			serving = List.copyOf(this.sinkStreams);
		}
		this.sinks.unregister(this);
		for (LocalStream sink : serving) {
			sink.destroy();
		}
	}

}
