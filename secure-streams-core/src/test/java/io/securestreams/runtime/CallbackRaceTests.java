package io.securestreams.runtime;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.CallbackChecker;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Other threads calling a stream's API while one of its callbacks runs (docs/streams.md,
 * Threading and Buffer lifetime): the callback finishes with its payload untouched, what was asked
 * for happens after it returns, a handler changed meanwhile gets the rest, and the stream ends
 * with legal states and nothing after DESTROYING.
 */
class CallbackRaceTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private SecureStreams start(Mode mode, String url) {
		this.server.setDispatcher(new HttpbinDispatcher());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", url)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "x-tag:")));
		return this.resources.start(mode, fragment.build(), (b) -> b.eventLoopThreads(2)).streams();
	}

	static Stream<Arguments> runs() {
		return Stream.of(Mode.values())
			.flatMap((mode) -> IntStream.rangeClosed(1, 4).mapToObj((run) -> arguments(mode, run)));
	}

	@ParameterizedTest(name = "{0} run {1}")
	@MethodSource("runs")
	void destroyTwiceAndOtherCallsWhileOnRxRunsLeaveItsPayloadIntactAndEndTheStreamOnce(Mode mode, int run)
			throws Exception {
		SecureStreams streams = start(mode, "/bytes/200000");
		CountDownLatch inRx = new CountDownLatch(1);
		CountDownLatch called = new CountDownLatch(1);
		List<String> payloadProblems = new ArrayList<>();
		CallbackChecker second = new CallbackChecker();
		CallbackChecker first = new CallbackChecker() {
			@Override
			protected StreamResult rx(SecureStream stream, ByteBuffer payload, int flags) {
				if (inRx.getCount() == 0) {
					return StreamResult.OK;
				}
				ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload.duplicate()).flip();
				int position = payload.position();
				int limit = payload.limit();
				inRx.countDown();
				await(called);
				if (payload.position() != position || payload.limit() != limit || !payload.equals(copy)) {
					payloadProblems.add("the payload changed while onRx ran");
				}
				return StreamResult.OK;
			}
		};
		SecureStream stream = streams.create("t", first);
		stream.requestTx();
		assertThat(inRx.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		CyclicBarrier together = new CyclicBarrier(4);
		List<CompletableFuture<Void>> calls = List.of(
				CompletableFuture.runAsync(() -> lined(together, stream::destroy)),
				CompletableFuture.runAsync(() -> lined(together, stream::destroy)),
				CompletableFuture.runAsync(() -> lined(together, () -> stream.startTimeout(1))),
				CompletableFuture.runAsync(() -> lined(together, () -> {
					stream.setMetadata("tag", "x");
					stream.connect();
					stream.requestTx();
					stream.changeHandler(second);
				})));
		CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		called.countDown();
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(payloadProblems).isEmpty();
		assertThat(first.problems).isEmpty();
		assertThat(second.problems).isEmpty();
		List<StreamState> all = new ArrayList<>(first.states);
		all.addAll(second.states);
		assertThat(all).containsOnlyOnce(StreamState.DESTROYING).endsWith(StreamState.DISCONNECTED,
				StreamState.DESTROYING);
		assertThat(second.states).contains(StreamState.DESTROYING);
		assertThat(streams.streams()).isEmpty();
	}

	@RepeatedTest(5)
	void aTimeoutDueWhileACallbackRunsAndADestroyAskedMeanwhileEndTheStreamLegally() throws Exception {
		SecureStreams streams = start(Mode.DIRECT, "/bytes/10");
		CompletableFuture<Void> destroyed = new CompletableFuture<>();
		CallbackChecker handler = new CallbackChecker() {
			@Override
			protected StreamResult state(SecureStream stream, StreamState state) {
				if (state == StreamState.CONNECTED) {
					long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2);
					stream.startTimeout(1);
					CompletableFuture.runAsync(stream::destroy).thenRun(() -> destroyed.complete(null)).join();
					// Still in the callback once the timer is due.
					org.awaitility.Awaitility.await().atMost(WAIT).until(() -> System.nanoTime() > due);
				}
				return StreamResult.OK;
			}
		};
		SecureStream stream = streams.create("t", handler);
		stream.requestTx();
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(destroyed).isDone();
		assertThat(handler.problems).isEmpty();
		assertThat(handler.states).containsOnlyOnce(StreamState.DESTROYING)
			.endsWith(StreamState.DISCONNECTED, StreamState.DESTROYING);
	}

	private static void lined(CyclicBarrier together, Runnable call) {
		try {
			together.await(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		call.run();
	}

	private static void await(CountDownLatch latch) {
		try {
			if (!latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
				throw new IllegalStateException("not released");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
