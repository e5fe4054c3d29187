package io.securestreams.transport;

import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shutting the event loops down: the future that says every loop has stopped completes, even
 * when the loops stop at the same moment on their own threads (it once waited for ever in a full
 * test run, after the loops had stopped).
 */
class TransportResourcesShutdownTests {

	@Test
	void theCombinedFutureCompletesWhenItsFuturesCompleteWhileItIsMade() throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			for (int round = 0; round < 20_000; round++) {
				// As the loops' termination futures: listeners run on the global executor's thread,
				// while the caller is still combining them.
				Promise<Void> first = new DefaultPromise<>(GlobalEventExecutor.INSTANCE);
				Promise<Void> second = new DefaultPromise<>(GlobalEventExecutor.INSTANCE);
				CyclicBarrier together = new CyclicBarrier(3);
				threads.execute(() -> completeWith(together, first));
				threads.execute(() -> completeWith(together, second));
				together.await();
				Future<Void> all = TransportResources.whenAllDone(first, second);
				assertThat(all.await(5, TimeUnit.SECONDS)).as("round %d", round).isTrue();
				assertThat(all.isSuccess()).isTrue();
			}
		}
		finally {
			threads.shutdownNow();
		}
	}

	@Test
	void closingStopsEveryLoopAndReturns() {
		for (int i = 0; i < 20; i++) {
			TransportResources resources = TransportResources.create(1, TransportResources.Kind.AUTO);
			resources.group().next().execute(() -> {
			});
			assertThat(resources.shutdownGracefully(Duration.ZERO, Duration.ofSeconds(5))
				.awaitUninterruptibly(10, TimeUnit.SECONDS)).isTrue();
			assertThat(resources.group().isTerminated()).isTrue();
		}
	}

	private static void completeWith(CyclicBarrier together, Promise<Void> promise) {
		try {
			together.await();
		}
		catch (Exception ex) {
			promise.tryFailure(ex);
			return;
		}
		promise.trySuccess(null);
	}

}
