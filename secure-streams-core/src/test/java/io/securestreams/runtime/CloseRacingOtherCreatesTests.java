package io.securestreams.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamHandler;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.smd.SmdClass;
import io.securestreams.testsupport.CallbackChecker;
import io.securestreams.testsupport.EchoSink;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * close() racing creations of the stream kinds besides plain client streams: local sink
 * sources, system message bus streams, listeners and nailed-up streams. Every creation either
 * throws SecureStreamsException or returns a stream that ends with DESTROYING, and close() ends.
 */
class CloseRacingOtherCreatesTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@RepeatedTest(5)
	void closeRacingCreatesOfEveryKindEndsEveryStreamAndRefusesTheRest() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		fragment.streamType("sink").set(StreamTypeKey.LOCAL_SINK, true);
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false);
		TestPolicies.h1(fragment.streamType("nailed"), "127.0.0.1", this.resources.refusedPort(), "GET", "/")
			.set(StreamTypeKey.NAILED_UP, true);
		SecureStreams streams = SecureStreams.builder(fragment.build()).eventLoopThreads(2)
			.listener(this.resources.guard()).build();
		EchoSink sink = new EchoSink();
		streams.registerSink("sink", sink);
		List<Function<StreamHandler, SecureStream>> kinds = List.of((h) -> streams.create("sink", h),
				(h) -> streams.createSmd(SmdClass.ALL, h), (h) -> streams.create("srv", h),
				(h) -> streams.create("nailed", h));
		Map<SecureStream, CallbackChecker> created = new ConcurrentHashMap<>();
		List<Throwable> failures = new CopyOnWriteArrayList<>();
		CyclicBarrier together = new CyclicBarrier(kinds.size() + 1);
		List<Thread> creators = new ArrayList<>();
		for (Function<StreamHandler, SecureStream> kind : kinds) {
			creators.add(new Thread(() -> {
				try {
					together.await(WAIT.toSeconds(), TimeUnit.SECONDS);
					while (true) {
						CallbackChecker checker = new CallbackChecker();
						created.put(kind.apply(checker), checker);
					}
				}
				catch (SecureStreamsException ex) {
					if (!streams.isClosed()) {
						failures.add(ex);
					}
				}
				catch (Throwable ex) {
					failures.add(ex);
				}
			}));
		}
		creators.forEach(Thread::start);
		together.await(WAIT.toSeconds(), TimeUnit.SECONDS);
		// Each kind under way, so that the close meets creations of all of them.
		Awaitility.await().atMost(WAIT).until(() -> created.size() >= 40 || !failures.isEmpty());
		streams.close();
		for (Thread creator : creators) {
			creator.join(WAIT.toMillis());
			assertThat(creator.isAlive()).as("a creator still in create").isFalse();
		}
		assertThat(failures).isEmpty();
		for (Map.Entry<SecureStream, CallbackChecker> entry : created.entrySet()) {
			String what = entry.getKey() + " " + entry.getValue().states;
			assertThat(entry.getKey().whenDestroyed().toCompletableFuture()).as(what).succeedsWithin(WAIT);
			assertThat(entry.getValue().problems).as(what).isEmpty();
			assertThat(entry.getValue().states).as(what).endsWith(StreamState.DESTROYING);
		}
		assertThat(streams.streams()).isEmpty();
	}

}
