package io.securestreams.boot.autoconfigure;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.boot.annotation.OnState;
import io.securestreams.boot.annotation.SecureStreamHandler;
import io.securestreams.boot.config.SecureStreamHandlerEndpointRegistry;
import io.securestreams.testsupport.LogCapture;
import jakarta.annotation.PreDestroy;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link SecureStreams} context in the application context's lifecycle: a refresh that
 * fails after the handler streams started (a later bean, or a listener that cannot bind) leaves
 * no event loop thread nor listener behind, a close in the middle of a transaction logs no
 * warning, and handler beans get no callback once destroyed.
 */
class SecureStreamsContextLifecycleTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
				"secure-streams.policy.streamtypes.srv.server=true",
				"secure-streams.policy.streamtypes.srv.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.srv.port=0", "secure-streams.policy.streamtypes.srv.metadata.path=",
				"secure-streams.policy.streamtypes.srv.metadata.method=",
				"secure-streams.policy.streamtypes.idle.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.idle.port=9",
				"secure-streams.policy.streamtypes.idle.opportunistic=true");

	@Test
	void aRefreshThatFailsAfterTheStreamsStartedReleasesTheListenerAndEventLoops() throws Exception {
		Set<Thread> before = Thread.getAllStackTraces().keySet();
		AtomicReference<SecureStreams> streams = new AtomicReference<>();
		AtomicInteger port = new AtomicInteger();
		List<String> events = new CopyOnWriteArrayList<>();
		this.runner.withBean("listenerHandler", ListenerHandler.class, () -> new ListenerHandler(events))
			.withBean("idleHandler", IdleHandler.class, () -> new IdleHandler(events))
			.withBean(FailingLifecycle.class, () -> new FailingLifecycle(streams, port))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause().hasMessage("a later bean cannot start");
			});
		assertThat(port.get()).isPositive();
		assertThat(streams.get().isClosed()).isTrue();
		Awaitility.await().untilAsserted(() -> assertThat(newSecureStreamsThreads(before)).isEmpty());
		try (ServerSocket again = new ServerSocket()) {
			again.bind(new InetSocketAddress("127.0.0.1", port.get()));
		}
		// Every handler callback came before the bean was destroyed.
		assertThat(events).contains("srv DESTROYING", "idle DESTROYING");
		assertThat(events.subList(events.size() - 2, events.size())).containsOnly("srv preDestroy", "idle preDestroy");
	}

	@Test
	void aListenerThatCannotBindFailsStartUpAndTheListenerStartedBeforeItIsDestroyedFirst() throws Exception {
		Set<Thread> before = Thread.getAllStackTraces().keySet();
		List<String> events = new CopyOnWriteArrayList<>();
		String taken = "secure-streams.policy.streamtypes.taken.";
		try (ServerSocket occupied = new ServerSocket()) {
			occupied.bind(new InetSocketAddress("127.0.0.1", 0));
			// Listeners start in the reverse order of their registration: 'srv' first.
			this.runner.withPropertyValues(taken + "server=true", taken + "endpoint=127.0.0.1",
					taken + "port=" + occupied.getLocalPort(), taken + "metadata.path=", taken + "metadata.method=")
				.withBean("takenHandler", TakenPortHandler.class, TakenPortHandler::new)
				.withBean("listenerHandler", ListenerHandler.class, () -> new ListenerHandler(events))
				.run((context) -> {
					assertThat(context).hasFailed();
					assertThat(context.getStartupFailure()).hasStackTraceContaining("for streamtype 'taken'");
				});
		}
		Awaitility.await().untilAsserted(() -> assertThat(newSecureStreamsThreads(before)).isEmpty());
		assertThat(events).contains("srv CREATING").endsWith("srv DESTROYING", "srv preDestroy");
	}

	@Test
	void closingTheContextMidTransactionLogsNoErrorAndNoCallbackFollowsPreDestroy() throws Exception {
		try (MockWebServer server = new MockWebServer(); LogCapture logs = new LogCapture()) {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().headersDelay(30, TimeUnit.SECONDS).body("late").build());
			List<String> events = new CopyOnWriteArrayList<>();
			String type = "secure-streams.policy.streamtypes.get.";
			this.runner.withPropertyValues(type + "endpoint=127.0.0.1", type + "port=" + server.getPort(),
					type + "http-method=GET", type + "http-url=/slow", type + "opportunistic=true")
				.withBean("busyHandler", BusyHandler.class, () -> new BusyHandler(events))
				.run((context) -> {
					// The request is out, the response head not yet in: CONNECTED comes with it.
					Awaitility.await().until(() -> server.getRequestCount() == 1);
				});
			assertThat(events).endsWith("DESTROYING", "preDestroy");
			assertThat(logs.warnings()).isEmpty();
		}
	}

	private static Set<String> newSecureStreamsThreads(Set<Thread> before) {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> !before.contains(thread) && thread.getName().startsWith("ss-"))
			.map(Thread::getName)
			.collect(Collectors.toSet());
	}

	@SecureStreamHandler("srv")
	static class ListenerHandler {

		private final List<String> events;

		ListenerHandler(List<String> events) {
			this.events = events;
		}

		@OnState
		void state(StreamState state) {
			this.events.add("srv " + state.name());
		}

		@PreDestroy
		void preDestroy() {
			this.events.add("srv preDestroy");
		}

	}

	@SecureStreamHandler("idle")
	static class IdleHandler {

		private final List<String> events;

		IdleHandler(List<String> events) {
			this.events = events;
		}

		@OnState
		void state(StreamState state) {
			this.events.add("idle " + state.name());
		}

		@PreDestroy
		void preDestroy() {
			this.events.add("idle preDestroy");
		}

	}

	@SecureStreamHandler(streamtype = "get", start = SecureStreamHandler.Start.REQUEST_TX)
	static class BusyHandler {

		private final List<String> events;

		BusyHandler(List<String> events) {
			this.events = events;
		}

		@OnState
		void state(StreamState state) {
			this.events.add(state.name());
		}

		@PreDestroy
		void preDestroy() {
			this.events.add("preDestroy");
		}

	}

	@SecureStreamHandler("taken")
	static class TakenPortHandler {

		@OnState
		void state(StreamState state) {
		}

	}

	/** A bean of a later phase than the handler streams' that fails to start. */
	static class FailingLifecycle implements SmartLifecycle, org.springframework.context.ApplicationContextAware {

		private final AtomicReference<SecureStreams> streams;

		private final AtomicInteger port;

		private ApplicationContext context;

		FailingLifecycle(AtomicReference<SecureStreams> streams, AtomicInteger port) {
			this.streams = streams;
			this.port = port;
		}

		@Override
		public void setApplicationContext(ApplicationContext context) {
			this.context = context;
		}

		@Override
		public void start() {
			this.streams.set(this.context.getBean(SecureStreams.class));
			SecureStream listener = this.context.getBean(SecureStreamHandlerEndpointRegistry.class)
				.getHandlerContainer("listenerHandler#srv")
				.getStreams()
				.get(0);
			this.port.set(((InetSocketAddress) listener.localAddress()).getPort());
			throw new IllegalStateException("a later bean cannot start");
		}

		@Override
		public void stop() {
		}

		@Override
		public boolean isRunning() {
			return false;
		}

	}

}
