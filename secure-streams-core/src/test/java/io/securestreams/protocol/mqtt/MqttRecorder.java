package io.securestreams.protocol.mqtt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

import io.securestreams.SecureStream;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import org.awaitility.Awaitility;

/**
 * A handler for MQTT streams: records states and received messages (payload, flags and the
 * {@code topic} metadata at the time), and sends queued messages, one per {@code onTx}.
 */
class MqttRecorder implements StreamHandler {

	/** Payload of probe messages (or its start), which are counted rather than recorded. */
	static final String PROBE = "probe";

	/** A received message. */
	record Message(String payload, int flags, String topic) {
	}

	final List<StreamState> states = new CopyOnWriteArrayList<>();

	final List<Message> messages = new CopyOnWriteArrayList<>();

	private final Queue<byte[]> outgoing = new ArrayDeque<>();

	private final AtomicInteger probes = new AtomicInteger();

	private volatile String lastProbe = "";

	private volatile BiFunction<SecureStream, StreamState, StreamResult> stateReaction = (s, st) -> StreamResult.OK;

	private volatile StreamResult rxResult = StreamResult.OK;

	private volatile StreamResult txResult = StreamResult.OK;

	MqttRecorder onState(BiFunction<SecureStream, StreamState, StreamResult> reaction) {
		this.stateReaction = reaction;
		return this;
	}

	MqttRecorder rxResult(StreamResult result) {
		this.rxResult = result;
		return this;
	}

	MqttRecorder txResult(StreamResult result) {
		this.txResult = result;
		return this;
	}

	/** Queues messages and asks to send. */
	void send(SecureStream stream, String... payloads) {
		synchronized (this.outgoing) {
			for (String payload : payloads) {
				this.outgoing.add(payload.getBytes(StandardCharsets.UTF_8));
			}
		}
		stream.requestTx();
	}

	@Override
	public StreamResult onState(SecureStream stream, StreamState state, long ack) {
		this.states.add(state);
		return this.stateReaction.apply(stream, state);
	}

	@Override
	public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
		byte[] bytes = new byte[payload.remaining()];
		payload.get(bytes);
		String topic = stream.metadata("topic");
		String text = new String(bytes, StandardCharsets.UTF_8);
		if (text.startsWith(PROBE)) {
			this.lastProbe = text;
			this.probes.incrementAndGet();
			return this.rxResult;
		}
		this.messages.add(new Message(text, flags, (topic != null) ? topic : ""));
		return this.rxResult;
	}

	@Override
	public StreamResult onTx(SecureStream stream, TxSlot slot) {
		if (this.txResult != StreamResult.OK) {
			return this.txResult;
		}
		byte[] next;
		boolean more;
		synchronized (this.outgoing) {
			next = this.outgoing.poll();
			more = !this.outgoing.isEmpty();
		}
		if (next == null) {
			return StreamResult.TX_DONT_SEND;
		}
		slot.write(next);
		if (more) {
			stream.requestTx();
		}
		return StreamResult.OK;
	}

	int probes() {
		return this.probes.get();
	}

	/** Returns the payload of the latest probe received, or an empty string. */
	String lastProbe() {
		return this.lastProbe;
	}

	/** Returns the state names reported since the {@code mark}-th state. */
	List<String> stateNamesSince(int mark) {
		List<String> names = stateNames();
		return names.subList(mark, names.size());
	}

	long count(StreamState state) {
		return this.states.stream().filter(state::equals).count();
	}

	List<String> payloads() {
		return this.messages.stream().map(Message::payload).toList();
	}

	List<String> stateNames() {
		return this.states.stream().map(StreamState::name).toList();
	}

	void await(StreamState state, int count, Duration timeout) {
		Awaitility.await().atMost(timeout).until(() -> count(state) >= count);
	}

	void awaitMessages(int count, Duration timeout) {
		Awaitility.await().atMost(timeout).until(() -> this.messages.size() >= count);
	}

}
