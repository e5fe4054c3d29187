package io.securestreams.server.ws;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;

/**
 * A listener's handler that records the states of the listener and of every stream it accepts,
 * by stream id, so that a server test can check each accepted stream's sequence.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
class StateRecorder implements StreamHandler {

	final Map<Long, List<StreamState>> states = new ConcurrentHashMap<>();

	@Override
	public StreamResult onState(SecureStream stream, StreamState state, long ack) {
		this.states.computeIfAbsent(stream.id(), (id) -> new CopyOnWriteArrayList<>()).add(state);
		return StreamResult.OK;
	}

	/**
	 * Returns the states of the accepted streams, leaving out the listener's own.
	 * @param listenerId the listener's stream id
	 * @return the states of each accepted stream, by ascending stream id
	 */
	List<List<StreamState>> accepted(long listenerId) {
		return this.states.entrySet()
			.stream()
			.filter((entry) -> entry.getKey() != listenerId)
			.sorted(Map.Entry.comparingByKey())
			.map(Map.Entry::getValue)
			.toList();
	}

}
