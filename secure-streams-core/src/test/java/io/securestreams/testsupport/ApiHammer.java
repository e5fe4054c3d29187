package io.securestreams.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiConsumer;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import org.awaitility.Awaitility;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams that several threads call at random, each with a {@link CallbackChecker} that sends
 * "hello" (SOM and EOM) whenever offered a slot.
 */
public final class ApiHammer {

	private final SecureStreams streams;

	private final String streamType;

	private final AtomicReferenceArray<SecureStream> slots;

	private final Map<SecureStream, CallbackChecker> checkers = new ConcurrentHashMap<>();

	private final List<Throwable> failures = new CopyOnWriteArrayList<>();

	public ApiHammer(SecureStreams streams, String streamType, int size) {
		this.streams = streams;
		this.streamType = streamType;
		this.slots = new AtomicReferenceArray<>(size);
		for (int i = 0; i < size; i++) {
			this.slots.set(i, create());
		}
	}

	public int size() {
		return this.slots.length();
	}

	private SecureStream create() {
		CallbackChecker checker = new CallbackChecker() {
			@Override
			protected StreamResult tx(SecureStream stream, TxSlot slot) {
				slot.buffer().put("hello".getBytes(StandardCharsets.US_ASCII));
				slot.flags(StreamFlags.SOM | StreamFlags.EOM);
				return StreamResult.OK;
			}
		};
		SecureStream stream = this.streams.create(this.streamType, checker);
		this.checkers.put(stream, checker);
		return stream;
	}

	/** Destroys the stream of a slot (when asked) and puts a new one there. */
	public void replace(int slot, boolean destroy) {
		if (destroy) {
			SecureStream old = this.slots.getAndSet(slot, create());
			old.destroy();
		}
	}

	/**
	 * Has threads call requestTx, requestTxLen(5), setMetadata("tag", ...), startTimeout,
	 * cancelTimeout and connect on random streams, and now and then replace a stream with a new one.
	 * @param threads how many threads
	 * @param duration how long
	 * @throws Exception if interrupted
	 */
	public void callAtRandom(int threads, Duration duration) throws Exception {
		run(threads, duration, (stream, random) -> {
			switch (random.nextInt(9)) {
				case 0, 1, 2 -> stream.requestTx();
				case 3 -> stream.requestTxLen(5);
				case 4 -> stream.setMetadata("tag", "v" + random.nextInt(1000));
				case 5 -> stream.startTimeout(1 + random.nextInt(30));
				case 6 -> stream.cancelTimeout();
				case 7 -> stream.connect();
				default -> replace(random.nextInt(size()), random.nextInt(40) == 0);
			}
		});
	}

	public void run(int threads, Duration duration, BiConsumer<SecureStream, Random> action) throws Exception {
		long end = System.nanoTime() + duration.toNanos();
		List<Thread> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			long seed = t;
			Thread worker = new Thread(() -> {
				Random random = new Random(seed);
				try {
					while (System.nanoTime() < end) {
						action.accept(this.slots.get(random.nextInt(this.slots.length())), random);
						if (random.nextInt(8) == 0) {
							Thread.sleep(1);
						}
					}
				}
				catch (Throwable ex) {
					this.failures.add(ex);
				}
			}, "hammer-" + t);
			workers.add(worker);
			worker.start();
		}
		for (Thread worker : workers) {
			worker.join();
		}
		assertThat(this.failures).as("exceptions thrown by API calls").isEmpty();
	}

	/** Asks every live stream to send once more, and waits until each was offered a slot. */
	public void assertEveryLiveStreamStillSends(Duration wait) {
		for (int i = 0; i < this.slots.length(); i++) {
			SecureStream stream = this.slots.get(i);
			CallbackChecker checker = this.checkers.get(stream);
			// Let whatever is under way settle, then ask once more.
			Awaitility.await().atMost(wait).pollDelay(Duration.ofMillis(50)).until(() -> true);
			int before = checker.txCalls.get();
			stream.cancelTimeout();
			stream.requestTx();
			Awaitility.await("onTx for " + stream + " " + checker.states).atMost(wait)
				.until(() -> checker.txCalls.get() > before);
		}
	}

	/**
	 * After close, for proxied streams: no callbacks overlapped, and each stream either never got
	 * CREATING (destroyed before the proxy's CREATE_RESULT; at most UPSTREAM_LINK_RETRY came) and
	 * so no DESTROYING either, or got CREATING (perhaps after UPSTREAM_LINK_RETRY) and ended with
	 * DESTROYING.
	 * @param wait how long each stream may take to be destroyed
	 */
	public void assertAllProxiedEndedCleanly(Duration wait) {
		for (Map.Entry<SecureStream, CallbackChecker> entry : this.checkers.entrySet()) {
			assertProxiedEndedCleanly(entry.getKey(), entry.getValue(), wait);
		}
		assertThat(this.streams.streams()).isEmpty();
	}

	/**
	 * Checks one proxied stream as {@link #assertAllProxiedEndedCleanly} does.
	 * @param stream the stream
	 * @param checker its handler
	 * @param wait how long it may take to be destroyed
	 */
	public static void assertProxiedEndedCleanly(SecureStream stream, CallbackChecker checker, Duration wait) {
		String what = stream + " " + checker.states;
		assertThat(stream.whenDestroyed().toCompletableFuture()).as(what).succeedsWithin(wait);
		assertThat(checker.problems).as(what).isEmpty();
		List<StreamState> states = checker.states.stream().filter((s) -> s != StreamState.UPSTREAM_LINK_RETRY).toList();
		if (!states.isEmpty()) {
			assertThat(states).as(what).startsWith(StreamState.CREATING).endsWith(StreamState.DESTROYING);
		}
	}

	/** After close: each stream reported DESTROYING last, and no callbacks overlapped. */
	public void assertAllEndedCleanly(Duration wait) {
		for (Map.Entry<SecureStream, CallbackChecker> entry : this.checkers.entrySet()) {
			assertThat(entry.getKey().whenDestroyed().toCompletableFuture()).succeedsWithin(wait);
			CallbackChecker checker = entry.getValue();
			assertThat(checker.problems).as(entry.getKey().toString()).isEmpty();
			assertThat(checker.states).as(entry.getKey().toString()).startsWith(StreamState.CREATING)
				.endsWith(StreamState.DESTROYING);
		}
		assertThat(this.streams.streams()).isEmpty();
	}

}
