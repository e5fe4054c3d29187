package io.securestreams.server;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.internal.AbstractStream;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A listener created from inside a callback (docs/servers.md asks for an application thread):
 * binding it waits for another event loop, and two callbacks doing so at once on two loops each
 * waited for the other's loop for ever, which stopped the whole context. Now the creation is
 * refused at once, as the other blocking calls are from a callback.
 */
class ListenerFromCallbackTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void listenersCreatedFromCallbacksOnTwoLoopsAtOnceAreRefusedWithoutADeadlock() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false);
		TestPolicies.h1(fragment.streamType("cli"), "127.0.0.1", 9, "GET", "/");
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2).shutdownTimeout(Duration.ofSeconds(1)));
		CyclicBarrier together = new CyclicBarrier(2);
		CompletableFuture<Throwable> first = new CompletableFuture<>();
		CompletableFuture<Throwable> second = new CompletableFuture<>();
		SecureStream one = streams.create("cli", creatingOnTimeout(streams, together, first));
		SecureStream two = streams.create("cli", creatingOnTimeout(streams, together, second));
		assertThat(((AbstractStream) one).eventLoop()).isNotSameAs(((AbstractStream) two).eventLoop());
		one.startTimeout(1);
		two.startTimeout(1);
		assertThat(first).succeedsWithin(WAIT)
			.isInstanceOf(IllegalStateException.class)
			.extracting(Throwable::getMessage)
			.asString()
			.contains("'srv'", "callback", "application thread");
		assertThat(second).succeedsWithin(WAIT).isInstanceOf(IllegalStateException.class);
		// The context still works: a listener created from this thread binds.
		assertThat(streams.create("srv", new StreamHandler() { }).localAddress()).isNotNull();
	}

	private static StreamHandler creatingOnTimeout(SecureStreams streams, CyclicBarrier together,
			CompletableFuture<Throwable> outcome) {
		return new StreamHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.TIMEOUT) {
					try {
						together.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
						streams.create("srv", new StreamHandler() { });
						outcome.complete(new AssertionError("created"));
					}
					catch (Throwable ex) {
						outcome.complete(ex);
					}
				}
				return StreamResult.OK;
			}
		};
	}

}
