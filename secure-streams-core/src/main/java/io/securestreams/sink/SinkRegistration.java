package io.securestreams.sink;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.securestreams.StreamHandler;

/**
 * A handler registered as the local sink of a streamtype. Closing the registration removes the
 * sink: every pair it serves is disconnected (the sink streams are destroyed, the source streams
 * see DISCONNECTED), and new sources of the streamtype can no longer be created until another
 * sink is registered.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SinkRegistration implements AutoCloseable {

	private final String streamType;

	private final StreamHandler handler;

	private final LocalSinks sinks;

	private final Set<LocalStream> sinkStreams = ConcurrentHashMap.newKeySet();

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

	void joined(LocalStream sink) {
		this.sinkStreams.add(sink);
	}

	void parted(LocalStream sink) {
		this.sinkStreams.remove(sink);
	}

	/**
	 * Unregisters the sink and disconnects the pairs it serves.
	 */
	@Override
	public void close() {
		this.sinks.unregister(this);
		for (LocalStream sink : this.sinkStreams) {
			sink.destroy();
		}
	}

}
