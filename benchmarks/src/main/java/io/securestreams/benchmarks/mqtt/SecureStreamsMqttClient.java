package io.securestreams.benchmarks.mqtt;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;

/**
 * This runtime: three streamtypes on the same broker, so their streams share one connection and
 * session: {@code q0} publishes at QoS 0, {@code q1} at QoS 1, and {@code rtt} publishes at QoS 1
 * to the topic it subscribes to. Each {@code onTx} writes one message and asks for the next
 * ({@code requestTx}) while the run wants more; QoS 1 runs count QOS_ACK_REMOTE states.
 */
final class SecureStreamsMqttClient implements MqttClientUnderTest {

	private final SecureStreams streams;

	private final Publisher qos0;

	private final Publisher qos1;

	private final RoundTrips rtt;

	SecureStreamsMqttClient(int port, byte[] payload, int threads) throws Exception {
		PolicyFragment fragment = new PolicyFragment().release("bench");
		stream(fragment, "q0", port, 0).set(StreamTypeKey.MQTT_TOPIC, "bench/ss/q0");
		stream(fragment, "q1", port, 1).set(StreamTypeKey.MQTT_TOPIC, "bench/ss/q1");
		stream(fragment, "rtt", port, 1).set(StreamTypeKey.MQTT_TOPIC, "bench/ss/rtt")
			.set(StreamTypeKey.MQTT_SUBSCRIBE, "bench/ss/rtt");
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(threads).build();
		this.qos0 = new Publisher(payload);
		this.qos1 = new Publisher(payload);
		this.rtt = new RoundTrips(payload);
		for (Handler handler : List.of(this.qos0, this.qos1, this.rtt)) {
			handler.stream = this.streams.create((handler == this.qos0) ? "q0" : (handler == this.qos1) ? "q1" : "rtt",
					handler);
			handler.stream.connect();
		}
		for (Handler handler : List.of(this.qos0, this.qos1, this.rtt)) {
			handler.connected.get(30, TimeUnit.SECONDS);
		}
	}

	private static StreamTypePolicy.Builder stream(PolicyFragment fragment, String name, int port, int qos) {
		return fragment.streamType(name)
			.set(StreamTypeKey.PROTOCOL, Protocol.MQTT)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, port)
			.set(StreamTypeKey.MQTT_QOS, qos)
			.set(StreamTypeKey.MQTT_CLEAN_START, true);
	}

	@Override
	public String name() {
		return "secure-streams";
	}

	@Override
	public long publishQos0(int count, int window) throws Exception {
		CompletableFuture<Void> done = this.qos1.start(1, 1, null);
		this.qos0.start(count, Integer.MAX_VALUE, this.qos1);
		long start = System.nanoTime();
		this.qos0.stream.requestTx();
		done.get(10, TimeUnit.MINUTES);
		return System.nanoTime() - start;
	}

	@Override
	public long publishQos1(int count, int window) throws Exception {
		CompletableFuture<Void> done = this.qos1.start(count, window, null);
		long start = System.nanoTime();
		this.qos1.stream.requestTx();
		done.get(10, TimeUnit.MINUTES);
		return System.nanoTime() - start;
	}

	@Override
	public long[] roundTrips(int count) throws Exception {
		CompletableFuture<long[]> done = this.rtt.start(count);
		this.rtt.sentAt = System.nanoTime();
		this.rtt.stream.requestTx();
		return done.get(10, TimeUnit.MINUTES);
	}

	@Override
	public void close() {
		this.streams.close();
	}

	/** What the three handlers share: the stream and its first CONNECTED. */
	private abstract static class Handler implements StreamHandler {

		final CompletableFuture<Void> connected = new CompletableFuture<>();

		final byte[] payload;

		SecureStream stream;

		Handler(byte[] payload) {
			this.payload = payload;
		}

		@Override
		public StreamResult onState(SecureStream s, StreamState state, long ack) {
			if (state == StreamState.CONNECTED) {
				this.connected.complete(null);
			}
			else if (state == StreamState.UNREACHABLE || state == StreamState.DISCONNECTED
					|| state == StreamState.QOS_NACK_REMOTE) {
				failed(new IllegalStateException("mqtt stream " + s.streamType() + ": " + state));
			}
			return StreamResult.OK;
		}

		void failed(Exception failure) {
			this.connected.completeExceptionally(failure);
		}

	}

	/**
	 * Publishes a run of messages with at most {@code window} unacknowledged (QoS 1), then, when
	 * another publisher is given, starts that one (the QoS 1 message that closes a QoS 0 run).
	 * Confined to the stream's event loop once started.
	 */
	private static final class Publisher extends Handler {

		private int target;

		private int window;

		private int sent;

		private int acked;

		private Publisher next;

		private CompletableFuture<Void> done = new CompletableFuture<>();

		Publisher(byte[] payload) {
			super(payload);
		}

		CompletableFuture<Void> start(int count, int window, Publisher then) {
			this.target = count;
			this.window = window;
			this.sent = 0;
			this.acked = 0;
			this.next = then;
			this.done = new CompletableFuture<>();
			return this.done;
		}

		@Override
		public StreamResult onTx(SecureStream s, TxSlot slot) {
			if (this.sent == this.target || this.sent - this.acked >= this.window) {
				return StreamResult.TX_DONT_SEND;
			}
			slot.buffer().put(this.payload);
			this.sent++;
			if (this.sent < this.target && this.sent - this.acked < this.window) {
				s.requestTx();
			}
			else if (this.sent == this.target && this.next != null) {
				// QoS 0: the last message is written; the QoS 1 message follows it on the connection.
				this.next.stream.requestTx();
			}
			return StreamResult.OK;
		}

		@Override
		public StreamResult onState(SecureStream s, StreamState state, long ack) {
			if (state == StreamState.QOS_ACK_REMOTE) {
				this.acked++;
				if (this.acked == this.target) {
					this.done.complete(null);
				}
				else if (this.sent < this.target) {
					s.requestTx();
				}
				return StreamResult.OK;
			}
			return super.onState(s, state, ack);
		}

		@Override
		void failed(Exception failure) {
			super.failed(failure);
			this.done.completeExceptionally(failure);
		}

	}

	/** Publishes one message at a time and times its delivery back through the subscription. */
	private static final class RoundTrips extends Handler {

		volatile long sentAt;

		private long[] times = new long[0];

		private int received;

		private CompletableFuture<long[]> done = new CompletableFuture<>();

		RoundTrips(byte[] payload) {
			super(payload);
		}

		CompletableFuture<long[]> start(int count) {
			this.times = new long[count];
			this.received = 0;
			this.done = new CompletableFuture<>();
			return this.done;
		}

		@Override
		public StreamResult onTx(SecureStream s, TxSlot slot) {
			slot.buffer().put(this.payload);
			return StreamResult.OK;
		}

		@Override
		public StreamResult onRx(SecureStream s, ByteBuffer data, int flags) {
			long now = System.nanoTime();
			if (data.remaining() != this.payload.length) {
				this.done.completeExceptionally(new IllegalStateException("received " + data.remaining() + " bytes"));
				return StreamResult.OK;
			}
			this.times[this.received++] = now - this.sentAt;
			if (this.received == this.times.length) {
				this.done.complete(this.times);
			}
			else {
				this.sentAt = System.nanoTime();
				s.requestTx();
			}
			return StreamResult.OK;
		}

		@Override
		void failed(Exception failure) {
			super.failed(failure);
			this.done.completeExceptionally(failure);
		}

	}

}
