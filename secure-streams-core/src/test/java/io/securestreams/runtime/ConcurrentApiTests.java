package io.securestreams.runtime;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiConsumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.ApiHammer;
import io.securestreams.testsupport.CallbackChecker;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.JettyWsServer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.securestreams.internal.UnappliedKeys;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The threading promises of docs/streams.md under calls from other threads: callbacks of one
 * stream never overlap, nothing follows DESTROYING, and actions asked for while a callback runs
 * are carried out after it returns, also while CREATING runs on the creating thread.
 */
class ConcurrentApiTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private SecureStreams start() {
		this.server.setDispatcher(new HttpbinDispatcher());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/10");
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
	}

	@Test
	void closeWhileCreatingRunsReportsDestroyingOnlyAfterCreatingReturned() throws Exception {
		SecureStreams streams = start();
		CountDownLatch destroying = new CountDownLatch(1);
		CompletableFuture<Void> closing = new CompletableFuture<>();
		CallbackChecker handler = new CallbackChecker() {
			@Override
			protected StreamResult state(SecureStream stream, StreamState state) {
				if (state == StreamState.CREATING) {
					// The application's CREATING takes a while; meanwhile another thread closes the context.
					CompletableFuture.runAsync(streams::close).whenComplete((r, ex) -> closing.complete(null));
					await(destroying);
				}
				else if (state == StreamState.DESTROYING) {
					destroying.countDown();
				}
				return StreamResult.OK;
			}
		};
		SecureStream stream = streams.create("t", handler);
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(closing).succeedsWithin(WAIT);
		assertThat(handler.problems).isEmpty();
		assertThat(handler.states).containsExactly(StreamState.CREATING, StreamState.DESTROYING);
	}

	@Test
	void requestTxFromCreatingStartsTheConnectionAfterCreatingReturned() throws Exception {
		SecureStreams streams = start();
		CountDownLatch polled = new CountDownLatch(1);
		CallbackChecker handler = new CallbackChecker() {
			@Override
			protected StreamResult state(SecureStream stream, StreamState state) {
				if (state == StreamState.CREATING) {
					stream.requestTx();
					// Still in CREATING: nothing else may reach the handler before this returns.
					await(polled);
				}
				else if (state == StreamState.POLL) {
					polled.countDown();
				}
				return StreamResult.OK;
			}
		};
		streams.create("t", handler);
		Awaitility.await().atMost(WAIT).until(() -> handler.states.contains(StreamState.QOS_ACK_REMOTE));
		assertThat(handler.problems).isEmpty();
		assertThat(handler.states).startsWith(StreamState.CREATING, StreamState.POLL, StreamState.CONNECTING,
				StreamState.CONNECTED);
	}

	@Test
	void manyThreadsCallingTheApiOnLiveStreamsKeepCallbacksApartAndLoseNoRequest() throws Exception {
		this.server.setDispatcher(new HttpbinDispatcher());
		PolicyFragment fragment = TestPolicies.base();
		fragment.retry(new RetryPolicy("patient", List.of(10, 20), 1000, 0, 0, 0));
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "POST", "/echo")
			.set(StreamTypeKey.RETRY, "patient")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "x-tag:")));
		hammer(fragment.build(), "t");
	}

	@Test
	void manyThreadsCallingTheApiOnWsStreamsKeepCallbacksApartAndLoseNoRequest() throws Exception {
		JettyWsServer ws = this.resources.closing(new JettyWsServer(null, false));
		PolicyFragment fragment = TestPolicies.base();
		fragment.retry(new RetryPolicy("patient", List.of(10, 20), 1000, 0, 0, 0));
		TestPolicies.ws(fragment.streamType("w"), ws.port(), "/echo")
			.set(StreamTypeKey.RETRY, "patient")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "x-tag:")));
		hammer(fragment.build(), "w");
	}

	/** Four threads call the API at random on twelve streams for three seconds, then checks. */
	private void hammer(Policy policy, String streamType) throws Exception {
		SecureStreams streams = this.resources.start(SecureStreams.builder(policy).eventLoopThreads(2));
		ApiHammer hammer = new ApiHammer(streams, streamType, 12);
		hammer.callAtRandom(4, Duration.ofSeconds(3));
		hammer.assertEveryLiveStreamStillSends(WAIT);
		streams.close();
		hammer.assertAllEndedCleanly(WAIT);
	}

	@RepeatedTest(4)
	void closeRacingCreateDestroyAndPolicyChangesGivesEveryStreamItsFinalStates() throws Exception {
		this.server.setDispatcher(new HttpbinDispatcher());
		PolicyFragment withB = TestPolicies.base();
		TestPolicies.h1(withB.streamType("a"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/10");
		TestPolicies.h1(withB.streamType("b"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/20")
			.set(StreamTypeKey.OPPORTUNISTIC, false)
			.set(StreamTypeKey.NAILED_UP, true);
		Policy both = withB.build();
		PolicyFragment onlyA = TestPolicies.base();
		TestPolicies.h1(onlyA.streamType("a"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/10");
		Policy withoutB = onlyA.build();
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(both).eventLoopThreads(2).shutdownTimeout(Duration.ofSeconds(5)));
		Map<SecureStream, CallbackChecker> created = new ConcurrentHashMap<>();
		List<Throwable> failures = new CopyOnWriteArrayList<>();
		AtomicBoolean stop = new AtomicBoolean();
		List<Thread> workers = new ArrayList<>();
		for (int t = 0; t < 3; t++) {
			long seed = t;
			workers.add(new Thread(() -> {
				Random random = new Random(seed);
				List<SecureStream> mine = new ArrayList<>();
				while (!stop.get()) {
					try {
						CallbackChecker checker = new CallbackChecker();
						SecureStream stream = streams.create(random.nextBoolean() ? "a" : "b", checker);
						created.put(stream, checker);
						mine.add(stream);
						stream.requestTx();
						if (random.nextInt(3) == 0 || mine.size() > 10) {
							mine.remove(random.nextInt(mine.size())).destroy();
						}
						Thread.sleep(1);
					}
					catch (SecureStreamsException ex) {
						// Shut down, or "b" is not in the policy right now.
					}
					catch (Throwable ex) {
						failures.add(ex);
					}
				}
			}, "creator-" + t));
		}
		workers.add(new Thread(() -> {
			int round = 0;
			while (!stop.get()) {
				try {
					switch (round++ % 4) {
						case 0 -> streams.applyOverlay("url", "{\"s\":[{\"b\":{\"http_url\":\"/bytes/30\"}}]}");
						case 1 -> streams.resetOverlays();
						case 2 -> streams.replacePolicy(withoutB);
						default -> streams.replacePolicy(both);
					}
					Thread.sleep(2);
				}
				catch (SecureStreamsException ex) {
					// Shut down: the policy no longer changes.
				}
				catch (Throwable ex) {
					failures.add(ex);
				}
			}
		}, "policy"));
		workers.forEach(Thread::start);
		Thread.sleep(1000);
		assertThat(CompletableFuture.runAsync(streams::close)).succeedsWithin(Duration.ofSeconds(15));
		Thread.sleep(100);
		stop.set(true);
		for (Thread worker : workers) {
			worker.join();
		}
		assertThat(failures).isEmpty();
		assertThat(created).isNotEmpty();
		for (Map.Entry<SecureStream, CallbackChecker> entry : created.entrySet()) {
			String what = entry.getKey() + " " + entry.getValue().states;
			assertThat(entry.getKey().whenDestroyed().toCompletableFuture()).as(what).succeedsWithin(WAIT);
			assertThat(entry.getValue().problems).as(what).isEmpty();
			assertThat(entry.getValue().states).as(what).startsWith(StreamState.CREATING)
				.endsWith(StreamState.DESTROYING);
		}
		assertThat(streams.streams()).isEmpty();
	}

	@Test
	void closeFromCreatingReturnsAtOnceAndTheStreamStillGetsItsFinalStates() {
		SecureStreams streams = start();
		CompletableFuture<Duration> closeTook = new CompletableFuture<>();
		CallbackChecker handler = new CallbackChecker() {
			@Override
			protected StreamResult state(SecureStream stream, StreamState state) {
				if (state == StreamState.CREATING) {
					long start = System.nanoTime();
					streams.close();
					closeTook.complete(Duration.ofNanos(System.nanoTime() - start));
				}
				return StreamResult.OK;
			}
		};
		SecureStream stream = streams.create("t", handler);
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		// Not a timing assertion: waiting here would mean waiting for the creation it is part of,
		// which lasts until the shutdown timeout (10 s) expires.
		assertThat(closeTook.join()).isLessThan(Duration.ofSeconds(5));
		assertThat(handler.problems).isEmpty();
		assertThat(handler.states).containsExactly(StreamState.CREATING, StreamState.DESTROYING);
	}

	@Test
	void closeWhileAnotherCloseIsUnderWayReturnsOnlyOnceTheShutdownEnded() throws Exception {
		SecureStreams streams = start();
		CountDownLatch destroying = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CallbackChecker handler = new CallbackChecker() {
			@Override
			protected StreamResult state(SecureStream stream, StreamState state) {
				if (state == StreamState.DESTROYING) {
					// Holds the first close() in progress.
					destroying.countDown();
					await(release);
				}
				return StreamResult.OK;
			}
		};
		SecureStream stream = streams.create("t", handler);
		Thread first = new Thread(streams::close, "first-close");
		first.start();
		try {
			assertThat(destroying.await(10, TimeUnit.SECONDS)).isTrue();
			CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> {
				streams.close();
				return stream.whenDestroyed().toCompletableFuture().isDone();
			});
			try {
				// Time for a second close() that does not wait to return.
				second.get(300, TimeUnit.MILLISECONDS);
			}
			catch (TimeoutException ex) {
				// still waiting for the shutdown in progress, as it should
			}
			release.countDown();
			assertThat(second).succeedsWithin(WAIT).isEqualTo(true);
		}
		finally {
			release.countDown();
			first.join(20_000);
		}
		assertThat(handler.problems).isEmpty();
	}

	@Test
	void closeCalledFromWhatTheShutdownCompletesDoesNotWaitForItself() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/10");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1)
			.shutdownTimeout(Duration.ofMillis(200)));
		CountDownLatch release = new CountDownLatch(1);
		SecureStream stream = streams.create("t", new CallbackChecker() {
			@Override
			protected StreamResult state(SecureStream s, StreamState state) {
				if (state == StreamState.DESTROYING) {
					// Outlasts the shutdown timeout: the shutdown thread marks the stream gone itself.
					try {
						release.await(10, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}
				return StreamResult.OK;
			}
		});
		CompletableFuture<Void> closedAgain = stream.whenDestroyed().toCompletableFuture().thenRun(streams::close);
		try {
			assertThat(CompletableFuture.runAsync(streams::close)).succeedsWithin(WAIT);
			assertThat(closedAgain).succeedsWithin(WAIT);
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void closeBetweenCreatesCheckAndItsRegistrationStillDestroysTheStream() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		// A key this runtime does not act on: create() logs a warning before it registers the
		// stream, which lets the test close the context in between.
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/10")
			.set(StreamTypeKey.SWAKE_VALIDITY, true);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		Logger logger = (Logger) LoggerFactory.getLogger(UnappliedKeys.class);
		AppenderBase<ILoggingEvent> closer = new AppenderBase<>() {
			@Override
			protected void append(ILoggingEvent event) {
				Thread closing = new Thread(streams::close, "closer");
				closing.start();
				try {
					closing.join(1000);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		};
		closer.start();
		logger.addAppender(closer);
		CallbackChecker handler = new CallbackChecker();
		SecureStream stream;
		try {
			stream = streams.create("t", handler);
		}
		finally {
			logger.detachAppender(closer);
		}
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(handler.problems).isEmpty();
		assertThat(handler.states).containsExactly(StreamState.CREATING, StreamState.DESTROYING);
		assertThat(streams.streams()).isEmpty();
	}

	@Test
	void createRacingAPolicyThatDropsItsStreamtypeDoesNotLeaveAStreamOfAVanishedStreamtype() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		// As above, the warning lets the test change the policy after create() read it and before
		// the stream is registered.
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/10")
			.set(StreamTypeKey.SWAKE_VALIDITY, true);
		TestPolicies.h1(fragment.streamType("other"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/10");
		PolicyFragment withoutT = TestPolicies.base();
		TestPolicies.h1(withoutT.streamType("other"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/10");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		Logger logger = (Logger) LoggerFactory.getLogger(UnappliedKeys.class);
		AppenderBase<ILoggingEvent> replacer = new AppenderBase<>() {
			@Override
			protected void append(ILoggingEvent event) {
				CompletableFuture.runAsync(() -> streams.replacePolicy(withoutT.build())).join();
			}
		};
		replacer.start();
		logger.addAppender(replacer);
		CallbackChecker handler = new CallbackChecker();
		SecureStream stream;
		try {
			stream = streams.create("t", handler);
		}
		finally {
			logger.detachAppender(replacer);
		}
		assertThat(streams.policy().streamType("t")).isNull();
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(handler.problems).isEmpty();
		assertThat(handler.states).containsExactly(StreamState.CREATING, StreamState.DESTROYING);
	}

	@Test
	void createRacingCloseStillGetsItsStreamDestroyed() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/10");
		Policy policy = fragment.build();
		for (int round = 0; round < 10; round++) {
			SecureStreams streams = SecureStreams.builder(policy).eventLoopThreads(1)
				.listener(this.resources.guard()).build();
			Map<SecureStream, CallbackChecker> created = new ConcurrentHashMap<>();
			List<Throwable> failures = new CopyOnWriteArrayList<>();
			CountDownLatch started = new CountDownLatch(3);
			List<Thread> creators = new ArrayList<>();
			for (int t = 0; t < 3; t++) {
				creators.add(new Thread(() -> {
					started.countDown();
					while (true) {
						CallbackChecker checker = new CallbackChecker();
						try {
							created.put(streams.create("t", checker), checker);
						}
						catch (SecureStreamsException ex) {
							return;
						}
						catch (Throwable ex) {
							failures.add(ex);
							return;
						}
					}
				}));
			}
			creators.forEach(Thread::start);
			started.await();
			Thread.sleep(5);
			streams.close();
			for (Thread creator : creators) {
				creator.join();
			}
			assertThat(failures).isEmpty();
			for (Map.Entry<SecureStream, CallbackChecker> entry : created.entrySet()) {
				String what = "round " + round + ": " + entry.getKey() + " " + entry.getValue().states;
				assertThat(entry.getKey().whenDestroyed().toCompletableFuture()).as(what).succeedsWithin(WAIT);
				assertThat(entry.getValue().problems).as(what).isEmpty();
				assertThat(entry.getValue().states).as(what).containsExactly(StreamState.CREATING,
						StreamState.DESTROYING);
			}
			assertThat(streams.streams()).isEmpty();
		}
	}

	/** Waits a little for a latch: long enough for a loop task to overtake the callback. */
	private static void await(CountDownLatch latch) {
		try {
			latch.await(1, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
