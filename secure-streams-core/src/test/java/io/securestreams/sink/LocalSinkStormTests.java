package io.securestreams.sink;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many threads calling requestTx, requestTxLen and destroy on the sources and sink streams of
 * local sink pairs while others create sources: the callbacks of each stream (sources and sink
 * streams, whose handler is shared) never overlap, nothing reaches a stream after its DESTROYING,
 * every message arrives whole, and close() ends every stream.
 */
class LocalSinkStormTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final String STREAMTYPE = "sink_hello_world";

	@RegisterExtension
	final TestResources resources = new TestResources();

	@RepeatedTest(3)
	void requestAndDestroyStormsOnPairsKeepEveryStreamsCallbacksApart() throws Exception {
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(TestPolicies.helloWorldSink()).eventLoopThreads(2));
		Checker checker = new Checker();
		streams.registerSink(STREAMTYPE, checker);
		List<SecureStream> sources = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 6; i++) {
			sources.add(streams.create(STREAMTYPE, checker));
		}
		CyclicBarrier together = new CyclicBarrier(4);
		AtomicBoolean stop = new AtomicBoolean();
		List<Thread> threads = new ArrayList<>();
		for (int t = 0; t < 4; t++) {
			long seed = t;
			threads.add(new Thread(() -> {
				Random random = new Random(seed);
				try {
					together.await(WAIT.toSeconds(), TimeUnit.SECONDS);
				}
				catch (Exception ex) {
					checker.problems.add("barrier: " + ex);
					return;
				}
				while (!stop.get()) {
					List<SecureStream> all = new ArrayList<>(sources);
					all.addAll(checker.sinkStreams);
					SecureStream target = all.get(random.nextInt(all.size()));
					int what = random.nextInt(20);
					if (what == 0) {
						target.destroy();
					}
					else if (what == 1) {
						try {
							sources.add(streams.create(STREAMTYPE, checker));
						}
						catch (SecureStreamsException ex) {
							checker.problems.add("create: " + ex.getMessage());
						}
					}
					else if (what < 6) {
						target.requestTxLen(Checker.MESSAGE.length);
					}
					else {
						target.requestTx();
					}
				}
			}));
		}
		threads.forEach(Thread::start);
		Awaitility.await().atMost(WAIT).until(() -> checker.received.get() > 2000);
		stop.set(true);
		for (Thread thread : threads) {
			thread.join(WAIT.toMillis());
		}
		streams.close();
		for (SecureStream source : sources) {
			assertThat(source.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		}
		assertThat(checker.problems).isEmpty();
		assertThat(streams.streams()).isEmpty();
	}

	/** Checks every stream it serves apart: one handler for the sources and the sink streams. */
	static final class Checker implements StreamHandler {

		static final byte[] MESSAGE = "hello, sink".getBytes();

		final List<String> problems = new CopyOnWriteArrayList<>();

		final List<SecureStream> sinkStreams = new CopyOnWriteArrayList<>();

		final AtomicInteger received = new AtomicInteger();

		private final Map<SecureStream, AtomicInteger> inside = new ConcurrentHashMap<>();

		private final Map<SecureStream, Boolean> destroying = new ConcurrentHashMap<>();

		private void enter(SecureStream stream, String what) {
			if (this.inside.computeIfAbsent(stream, (s) -> new AtomicInteger()).incrementAndGet() != 1) {
				this.problems.add(what + " overlapped another callback of " + stream);
			}
			if (this.destroying.containsKey(stream)) {
				this.problems.add(what + " after DESTROYING of " + stream);
			}
		}

		private void leave(SecureStream stream) {
			this.inside.get(stream).decrementAndGet();
		}

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			if (state == StreamState.SINK_JOIN) {
				// Goes to the sink's handler with the source as the stream, on the creating thread.
				return StreamResult.OK;
			}
			enter(stream, "onState(" + state + ")");
			try {
				if (state == StreamState.CREATING && stream.role() == StreamRole.ACCEPTED) {
					this.sinkStreams.add(stream);
				}
				else if (state == StreamState.DESTROYING) {
					this.destroying.put(stream, true);
					this.sinkStreams.remove(stream);
				}
				return StreamResult.OK;
			}
			finally {
				leave(stream);
			}
		}

		@Override
		public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
			enter(stream, "onRx");
			try {
				byte[] bytes = new byte[payload.remaining()];
				payload.get(bytes);
				if (!new String(bytes).equals(new String(MESSAGE))) {
					this.problems.add("a message arrived as '" + new String(bytes) + "' with flags " + flags);
				}
				this.received.incrementAndGet();
				return StreamResult.OK;
			}
			finally {
				leave(stream);
			}
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			enter(stream, "onTx");
			try {
				if (slot.capacity() < MESSAGE.length) {
					this.problems.add("a slot of " + slot.capacity() + " bytes");
					return StreamResult.TX_DONT_SEND;
				}
				slot.buffer().put(MESSAGE);
				slot.flags(StreamFlags.SOM | StreamFlags.EOM);
				return StreamResult.OK;
			}
			finally {
				leave(stream);
			}
		}

	}

}
