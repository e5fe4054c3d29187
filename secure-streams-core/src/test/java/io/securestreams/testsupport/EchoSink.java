package io.securestreams.testsupport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;

/**
 * A local sink's handler, as libwebsockets' sink example has it: answers every message with
 * "From Sink: " and the message, and records the sources that joined and what it saw.
 */
public final class EchoSink extends RecordingHandler {

	/** The sources that asked to join, in order. */
	public final List<SecureStream> joins = new CopyOnWriteArrayList<>();

	/** The number of sources already served at each join. */
	public final List<Long> joinCounts = new CopyOnWriteArrayList<>();

	/** Whether SINK_JOIN is refused. */
	public volatile boolean refuse;

	@Override
	public StreamResult onState(SecureStream stream, StreamState state, long ack) {
		if (state == StreamState.SINK_JOIN) {
			this.joins.add(stream);
			this.joinCounts.add(ack);
			return this.refuse ? StreamResult.DESTROY_ME : StreamResult.OK;
		}
		return super.onState(stream, state, ack);
	}

	@Override
	public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
		byte[] bytes = new byte[payload.remaining()];
		payload.duplicate().get(bytes);
		super.onRx(stream, payload, flags);
		send(("From Sink: " + new String(bytes, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8), 1000);
		stream.requestTx();
		return StreamResult.OK;
	}

}
