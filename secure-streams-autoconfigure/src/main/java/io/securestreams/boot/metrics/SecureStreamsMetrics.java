package io.securestreams.boot.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamEventListener;
import io.securestreams.StreamInfo;
import io.securestreams.StreamState;
import org.jspecify.annotations.Nullable;

/**
 * Binds per-streamtype Secure Streams metrics, fed by a {@link StreamEventListener}:
 * <ul>
 * <li>{@code securestreams.connections} (counter): CONNECTED states reached;</li>
 * <li>{@code securestreams.state.changes} (counter, tag {@code state}): states reported;</li>
 * <li>{@code securestreams.retries} (counter): retries scheduled after failed attempts;</li>
 * <li>{@code securestreams.bytes} (counter, tag {@code direction} = in or out): payload bytes;</li>
 * <li>{@code securestreams.transactions} (timer, tag {@code result} = QOS_ACK_REMOTE or
 * QOS_NACK_REMOTE): transaction latency;</li>
 * <li>{@code securestreams.streams} (gauge): live streams.</li>
 * </ul>
 * Every meter has the tag {@code streamtype}. Meters of a streamtype appear with its first event.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public class SecureStreamsMetrics implements MeterBinder {

	private final SecureStreams streams;

	private final Map<String, TypeCounters> types = new ConcurrentHashMap<>();

	private final Map<String, LongAdder> stateChanges = new ConcurrentHashMap<>();

	// A MeterBinder may be bound to several registries; meters of streamtypes seen later go to
	// every one of them.
	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	/**
	 * Creates the metrics and starts listening to the context's streams.
	 * @param streams the context
	 */
	public SecureStreamsMetrics(SecureStreams streams) {
		this.streams = streams;
		streams.addListener(new Listener());
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registries.add(registry);
		this.types.keySet().forEach((type) -> register(registry, type));
		this.stateChanges.keySet().forEach((key) -> registerStateChanges(registry, key));
	}

	private TypeCounters counters(String streamType) {
		TypeCounters counters = this.types.get(streamType);
		if (counters == null) {
			counters = this.types.computeIfAbsent(streamType, (name) -> new TypeCounters());
			this.registries.forEach((registry) -> register(registry, streamType));
		}
		return counters;
	}

	private void register(MeterRegistry registry, String streamType) {
		TypeCounters counters = this.types.get(streamType);
		if (counters == null) {
			return;
		}
		FunctionCounter.builder("securestreams.connections", counters.connections, LongAdder::sum)
			.description("CONNECTED states reached")
			.tag("streamtype", streamType)
			.register(registry);
		FunctionCounter.builder("securestreams.retries", counters.retries, LongAdder::sum)
			.description("Retries scheduled after failed connection attempts")
			.tag("streamtype", streamType)
			.register(registry);
		FunctionCounter.builder("securestreams.bytes", this, (metrics) -> metrics.bytes(streamType, true))
			.description("Payload bytes")
			.tags("streamtype", streamType, "direction", "in")
			.register(registry);
		FunctionCounter.builder("securestreams.bytes", this, (metrics) -> metrics.bytes(streamType, false))
			.description("Payload bytes")
			.tags("streamtype", streamType, "direction", "out")
			.register(registry);
		Gauge.builder("securestreams.streams", this, (metrics) -> metrics.liveStreams(streamType))
			.description("Live streams")
			.tag("streamtype", streamType)
			.register(registry);
	}

	private void registerStateChanges(MeterRegistry registry, String key) {
		int split = key.indexOf('\n');
		FunctionCounter.builder("securestreams.state.changes", this.stateChanges.get(key), LongAdder::sum)
			.description("States reported to handlers")
			.tags("streamtype", key.substring(0, split), "state", key.substring(split + 1))
			.register(registry);
	}

	private double bytes(String streamType, boolean in) {
		TypeCounters counters = this.types.get(streamType);
		if (counters == null) {
			return 0;
		}
		long total = in ? counters.destroyedBytesIn.sum() : counters.destroyedBytesOut.sum();
		for (StreamInfo info : this.streams.streams()) {
			if (info.streamType().equals(streamType)) {
				total += in ? info.bytesIn() : info.bytesOut();
			}
		}
		// A destroyed stream leaves the context before its bytes are added to the destroyed
		// total: in between the sum drops, which a scrape would take for a counter reset.
		AtomicLong reported = in ? counters.reportedBytesIn : counters.reportedBytesOut;
		return reported.accumulateAndGet(total, Math::max);
	}

	private double liveStreams(String streamType) {
		return this.streams.streams().stream().filter((info) -> info.streamType().equals(streamType)).count();
	}

	private static final class TypeCounters {

		private final LongAdder connections = new LongAdder();

		private final LongAdder retries = new LongAdder();

		private final LongAdder destroyedBytesIn = new LongAdder();

		private final LongAdder destroyedBytesOut = new LongAdder();

		private final AtomicLong reportedBytesIn = new AtomicLong();

		private final AtomicLong reportedBytesOut = new AtomicLong();

	}

	private final class Listener implements StreamEventListener {

		@Override
		public void stateChanged(SecureStream stream, @Nullable StreamState previous, StreamState state) {
			TypeCounters counters = counters(stream.streamType());
			if (state == StreamState.CONNECTED) {
				counters.connections.increment();
			}
			String key = stream.streamType() + "\n" + state.name();
			LongAdder adder = SecureStreamsMetrics.this.stateChanges.get(key);
			if (adder == null) {
				adder = SecureStreamsMetrics.this.stateChanges.computeIfAbsent(key, (k) -> new LongAdder());
				String registered = key;
				SecureStreamsMetrics.this.registries.forEach((registry) -> registerStateChanges(registry, registered));
			}
			adder.increment();
		}

		@Override
		public void retryScheduled(SecureStream stream, long delayMillis) {
			counters(stream.streamType()).retries.increment();
		}

		@Override
		public void transactionCompleted(SecureStream stream, StreamState result, long nanos) {
			counters(stream.streamType());
			for (MeterRegistry registry : SecureStreamsMetrics.this.registries) {
				Timer.builder("securestreams.transactions")
					.description("Transaction latency, from the request to the remote's answer")
					.tags("streamtype", stream.streamType(), "result", result.name())
					.register(registry)
					.record(Duration.ofNanos(nanos));
			}
		}

		@Override
		public void destroyed(SecureStream stream) {
			StreamInfo info = stream.info();
			TypeCounters counters = counters(stream.streamType());
			counters.destroyedBytesIn.add(info.bytesIn());
			counters.destroyedBytesOut.add(info.bytesOut());
		}

	}

}
