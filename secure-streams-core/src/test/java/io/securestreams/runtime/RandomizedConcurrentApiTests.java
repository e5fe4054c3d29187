package io.securestreams.runtime;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.TxSlot;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.mqtt.MoquetteExtension;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.JettyWsServer;
import io.securestreams.testsupport.LoopbackNettyServers;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random use of the whole stream API from several threads, for each client protocol,
 * direct and through a proxy: threads call requestTx, requestTxLen, connect, setMetadata,
 * startTimeout, cancelTimeout, changeHandler, validityConfirmed and destroy on random streams
 * while another applies and resets policy overlays and replaces the policy with one without their
 * streamtype and back (which destroys the streams), and the handlers now and then return
 * DISCONNECT_ME, DESTROY_ME or TX_DONT_SEND, or throw. Afterwards every stream still sends, close()
 * returns within the shutdown timeout, every stream ended with DESTROYING, no callbacks of one
 * stream overlapped, nothing came after DESTROYING, no state transition was illegal, no buffer
 * leaked and nothing was logged at ERROR but the handlers' own throws. A failing seed reproduces
 * the calls each thread made, though not the event loops' timing.
 */
class RandomizedConcurrentApiTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

	private static final AtomicInteger clientIds = new AtomicInteger();

	/** A policy without the streamtype under test, whose streams it destroys while in force. */
	private static final Policy WITHOUT_T = TestPolicies.with("other", (b) -> b.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
		.set(StreamTypeKey.PORT, 9)
		.set(StreamTypeKey.HTTP_METHOD, "GET")
		.set(StreamTypeKey.HTTP_URL, "/"));

	@RegisterExtension
	static final MoquetteExtension broker = new MoquetteExtension(false);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@RegisterExtension
	final LoopbackNettyServers rawServers = new LoopbackNettyServers();

	/**
	 * The client protocols under test. (Moquette leaks the buffer of a PUBLISH it has read when the
	 * client's connection goes before its session loop handled it; the leak check sets such leaks
	 * of the broker's own aside, so MQTT streams too face what drops the connection at random.)
	 */
	enum Kind {

		H1(true), H2(true), WS(true), RAW(true), MQTT(true);

		final boolean dropsConnections;

		Kind(boolean dropsConnections) {
			this.dropsConnections = dropsConnections;
		}

	}

	static Stream<Arguments> runs() {
		List<Arguments> runs = new ArrayList<>();
		// One seed each by default; -Drandom.seeds=N tries more.
		int seeds = Integer.getInteger("random.seeds", 1);
		for (Kind kind : Kind.values()) {
			for (Mode mode : Mode.values()) {
				for (long seed = 1; seed <= seeds; seed++) {
					runs.add(Arguments.of(kind, mode, seed));
				}
			}
		}
		return runs.stream();
	}

	@ParameterizedTest(name = "{0} {1} seed {2}")
	@MethodSource("runs")
	void randomCallsFromSeveralThreadsKeepEveryStreamLegal(Kind kind, Mode mode, long seed) throws Exception {
		randomRun(kind, mode, seed);
	}

	/** The runs whose connections may drop at any time: all but MQTT's (see Kind). */
	static Stream<Arguments> droppingRuns() {
		return runs().filter((run) -> ((Kind) run.get()[0]).dropsConnections);
	}

	@ParameterizedTest(name = "{0} {1} seed {2}")
	@MethodSource("droppingRuns")
	void closeInTheMiddleOfRandomCallsGivesEveryStreamItsFinalStates(Kind kind, Mode mode, long seed)
			throws Exception {
		Policy policy = policy(kind);
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID,
				"ss-random-" + clientIds.incrementAndGet());
		StreamsUnderTest under = this.resources.start(mode, policy,
				(b) -> b.eventLoopThreads(2).systemBlobs(blobs).shutdownTimeout(SHUTDOWN_TIMEOUT));
		SecureStreams streams = under.streams();
		try (ErrorLines errors = new ErrorLines()) {
			Storm storm = new Storm(streams, seed, 10, kind.dropsConnections);
			CompletableFuture<Duration> closed = new CompletableFuture<>();
			Thread closer = new Thread(() -> {
				try {
					Thread.sleep(300 + new Random(seed).nextInt(700));
					long start = System.nanoTime();
					streams.close();
					closed.complete(Duration.ofNanos(System.nanoTime() - start));
				}
				catch (Throwable ex) {
					closed.completeExceptionally(ex);
				}
			}, "closer");
			closer.start();
			storm.run(3, Duration.ofMillis(1500));
			closer.join();
			// The shutdown timeout bounds close(), with a margin for stopping the event loops.
			assertThat(closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("close()")
				.isLessThan(SHUTDOWN_TIMEOUT.plusSeconds(3));
			storm.assertAllEndedCleanly(mode);
			assertThat(streams.streams()).isEmpty();
			errors.assertNoneButThrowsOfHandlers();
		}
	}

	private void randomRun(Kind kind, Mode mode, long seed) throws Exception {
		Policy policy = policy(kind);
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID,
				"ss-random-" + clientIds.incrementAndGet());
		StreamsUnderTest under = this.resources.start(mode, policy,
				(b) -> b.eventLoopThreads(2).systemBlobs(blobs).shutdownTimeout(SHUTDOWN_TIMEOUT));
		SecureStreams streams = under.streams();
		SecureStreams fulfilling = (mode == Mode.DIRECT) ? streams : under.proxy().context();
		try (ErrorLines errors = new ErrorLines()) {
			Storm storm = new Storm(streams, seed, 10, kind.dropsConnections);
			AtomicBoolean stop = new AtomicBoolean();
			List<Throwable> failures = new CopyOnWriteArrayList<>();
			Thread policies = new Thread(() -> {
				Random random = new Random(seed * 31 + 7);
				while (!stop.get()) {
					try {
						if (!kind.dropsConnections) {
							Thread.sleep(5);
							continue;
						}
						int what = random.nextInt(6);
						if (what == 0) {
							fulfilling.replacePolicy(WITHOUT_T);
						}
						else if (what == 1) {
							fulfilling.replacePolicy(policy);
						}
						else if (fulfilling.policy().streamType("t") == null) {
							// An overlay now would define a streamtype "t" of its own keys only.
							Thread.sleep(1);
						}
						else if (random.nextBoolean()) {
							fulfilling.applyOverlay("random", overlay(kind, random.nextInt(3)));
						}
						else {
							fulfilling.resetOverlays();
						}
						Thread.sleep(5 + random.nextInt(20));
					}
					catch (SecureStreamsException ex) {
						if (!fulfilling.isClosed()) {
							failures.add(ex);
						}
					}
					catch (Throwable ex) {
						failures.add(ex);
					}
				}
			}, "policy");
			policies.start();
			try {
				storm.run(3, Duration.ofMillis(2000));
			}
			finally {
				stop.set(true);
				policies.join();
			}
			fulfilling.replacePolicy(policy);
			assertThat(failures).as("exceptions from overlays").isEmpty();
			storm.calm();
			storm.assertEveryLiveStreamStillSends();
			assertThat(CompletableFuture.runAsync(streams::close)).as("close()")
				.succeedsWithin(SHUTDOWN_TIMEOUT.plusSeconds(3));
			storm.assertAllEndedCleanly(mode);
			assertThat(streams.streams()).isEmpty();
			if (mode == Mode.PROXIED) {
				Awaitility.await().atMost(WAIT)
					.until(() -> under.proxy().links().isEmpty() && fulfilling.streams().isEmpty());
			}
			errors.assertNoneButThrowsOfHandlers();
		}
	}

	private Policy policy(Kind kind) throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		fragment.retry(new RetryPolicy("patient", List.of(10, 20), 1000, 0, 0, 0));
		StreamTypePolicy.Builder t = fragment.streamType("t");
		switch (kind) {
			case H1 -> {
				MockWebServer server = this.resources.mockWebServer();
				server.setDispatcher(new HttpbinDispatcher());
				TestPolicies.h1(t, "127.0.0.1", server.getPort(), "POST", "/echo")
					.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "x-tag:")));
			}
			case H2 -> {
				MockWebServer server = this.resources.closing(new MockWebServer());
				server.setProtocols(List.of(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE));
				server.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
				server.setDispatcher(new HttpbinDispatcher());
				TestPolicies.h1(t, "127.0.0.1", server.getPort(), "POST", "/echo")
					.set(StreamTypeKey.PROTOCOL, Protocol.H2)
					.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "x-tag:")));
			}
			case WS -> {
				JettyWsServer ws = this.resources.closing(new JettyWsServer(null, false));
				TestPolicies.ws(t, ws.port(), "/echo")
					.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "x-tag:")));
			}
			case RAW -> {
				int port = this.rawServers.start((index) -> new Echo());
				t.set(StreamTypeKey.PROTOCOL, Protocol.RAW)
					.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
					.set(StreamTypeKey.PORT, port)
					.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "")));
			}
			default -> t.set(StreamTypeKey.PROTOCOL, Protocol.MQTT)
				.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
				.set(StreamTypeKey.PORT, broker.port())
				.set(StreamTypeKey.MQTT_TOPIC, "random/up")
				.set(StreamTypeKey.MQTT_SUBSCRIBE, "random/down")
				.set(StreamTypeKey.MQTT_QOS, 0)
				.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "")));
		}
		t.set(StreamTypeKey.RETRY, "patient");
		return fragment.build();
	}

	/** An overlay that changes the streamtype, so that its streams drop their connections. */
	private static String overlay(Kind kind, int variant) {
		String change = switch (kind) {
			case H1, H2, WS -> "\"http_url\":\"/echo?o=" + variant + "\"";
			case MQTT -> "\"mqtt_topic\":\"random/up" + variant + "\"";
			default -> "\"timeout_ms\":" + (5000 + variant);
		};
		return "{\"s\":[{\"t\":{" + change + "}}]}";
	}

	/** The raw peer: sends back what it gets. */
	@ChannelHandler.Sharable
	static final class Echo extends ChannelInboundHandlerAdapter {

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			ctx.writeAndFlush(msg);
		}

	}

	/** What a handler throws on purpose: the ERROR lines it causes are expected. */
	static final class ThrownByHandler extends RuntimeException {

		ThrownByHandler() {
			super("thrown by the test's handler");
		}

	}

	/** What happened to one stream, shared by the handlers it was given in turn. */
	static final class Track {

		final List<StreamState> states = new CopyOnWriteArrayList<>();

		final List<String> problems = new CopyOnWriteArrayList<>();

		final AtomicInteger txCalls = new AtomicInteger();

		final AtomicInteger inside = new AtomicInteger();

		final Random random;

		final boolean dropsConnection;

		volatile boolean destroying;

		Track(long seed, boolean dropsConnection) {
			this.random = new Random(seed);
			this.dropsConnection = dropsConnection;
		}

		void enter(String what) {
			if (this.inside.incrementAndGet() != 1) {
				this.problems.add(what + " overlapped another callback on " + Thread.currentThread().getName());
			}
			if (this.destroying) {
				this.problems.add(what + " after DESTROYING");
			}
		}

		void leave() {
			this.inside.decrementAndGet();
		}

	}

	/** A handler that records into its stream's track and, until calmed, misbehaves at random. */
	static final class Chaotic implements StreamHandler {

		private final Track track;

		private final AtomicBoolean calm;

		Chaotic(Track track, AtomicBoolean calm) {
			this.track = track;
			this.calm = calm;
		}

		private StreamResult chaos(SecureStream stream, int percentDisconnect, int percentDestroy) {
			if (this.calm.get()) {
				return StreamResult.OK;
			}
			int roll = this.track.random.nextInt(1000);
			if (!this.track.dropsConnection && roll < 5 + percentDestroy + percentDisconnect) {
				return (roll < 5 + percentDestroy) ? StreamResult.DESTROY_ME : StreamResult.OK;
			}
			if (roll < 5) {
				throw new ThrownByHandler();
			}
			if (roll < 5 + percentDestroy) {
				return StreamResult.DESTROY_ME;
			}
			if (roll < 5 + percentDestroy + percentDisconnect) {
				return this.track.random.nextBoolean() ? StreamResult.DISCONNECT_ME : StreamResult.TX_DONT_SEND;
			}
			if (roll < 100) {
				stream.requestTx();
			}
			else if (roll < 110) {
				stream.changeHandler(new Chaotic(this.track, this.calm));
			}
			else if (roll < 120) {
				stream.startTimeout(1 + this.track.random.nextInt(40));
			}
			else if (roll < 123) {
				// Allowed from a callback, though DESTROY_ME is preferred: it runs after the return.
				stream.destroy();
			}
			else if (roll < 133) {
				stream.connect();
			}
			else if (roll < 143) {
				stream.setMetadata("tag", "in-callback");
			}
			else if (roll < 150) {
				stream.cancelTimeout();
			}
			return StreamResult.OK;
		}

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			this.track.enter("onState(" + state + ")");
			try {
				this.track.states.add(state);
				if (state == StreamState.DESTROYING) {
					this.track.destroying = true;
				}
				// DESTROY_ME from CREATING makes create() throw: a documented refusal, not chaos.
				return (state == StreamState.CREATING) ? StreamResult.OK : chaos(stream, 30, 8);
			}
			finally {
				this.track.leave();
			}
		}

		@Override
		public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
			this.track.enter("onRx");
			try {
				return chaos(stream, 30, 8);
			}
			finally {
				this.track.leave();
			}
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			this.track.enter("onTx");
			try {
				this.track.txCalls.incrementAndGet();
				StreamResult result = chaos(stream, 60, 8);
				if (result == StreamResult.OK) {
					slot.buffer().put("hello".getBytes(StandardCharsets.US_ASCII));
					slot.flags(StreamFlags.SOM | StreamFlags.EOM);
				}
				return result;
			}
			finally {
				this.track.leave();
			}
		}

	}

	/** Streams in slots, which threads call at random; a destroyed stream's slot gets a new one. */
	static final class Storm {

		private final SecureStreams streams;

		private final long seed;

		private final AtomicReferenceArray<SecureStream> slots;

		private final Map<SecureStream, Track> tracks = new ConcurrentHashMap<>();

		private final AtomicBoolean calm = new AtomicBoolean();

		private final AtomicInteger created = new AtomicInteger();

		private final boolean dropsConnections;

		Storm(SecureStreams streams, long seed, int size, boolean dropsConnections) {
			this.streams = streams;
			this.seed = seed;
			this.dropsConnections = dropsConnections;
			this.slots = new AtomicReferenceArray<>(size);
			for (int i = 0; i < size; i++) {
				this.slots.set(i, create());
			}
		}

		private SecureStream create() {
			Track track = new Track(this.seed * 1000 + this.created.incrementAndGet(), this.dropsConnections);
			SecureStream stream = this.streams.create("t", new Chaotic(track, this.calm));
			this.tracks.put(stream, track);
			return stream;
		}

		/**
		 * Creates a stream, unless the policy in force lacks the streamtype (see WITHOUT_T).
		 * @return the stream, or {@code null}
		 */
		private @Nullable SecureStream createWhileDefined() {
			try {
				return create();
			}
			catch (SecureStreamsException ex) {
				if (ex.getMessage().startsWith("unknown streamtype 't'")) {
					return null;
				}
				throw ex;
			}
		}

		void run(int threads, Duration duration) throws Exception {
			long end = System.nanoTime() + duration.toNanos();
			List<Throwable> failures = new CopyOnWriteArrayList<>();
			List<Thread> workers = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				Random random = new Random(this.seed * 100 + t);
				Thread worker = new Thread(() -> {
					try {
						while (System.nanoTime() < end) {
							int slot = random.nextInt(this.slots.length());
							SecureStream stream = this.slots.get(slot);
							if (stream.whenDestroyed().toCompletableFuture().isDone()) {
								SecureStream fresh = createWhileDefined();
								if (fresh != null) {
									this.slots.compareAndSet(slot, stream, fresh);
								}
								continue;
							}
							call(stream, slot, random);
							if (random.nextInt(8) == 0) {
								Thread.sleep(1);
							}
						}
					}
					catch (SecureStreamsException ex) {
						// create() refuses once the context is shut down; that ends this thread.
						if (!this.streams.isClosed()) {
							failures.add(ex);
						}
					}
					catch (Throwable ex) {
						failures.add(ex);
					}
				}, "storm-" + t);
				workers.add(worker);
				worker.start();
			}
			for (Thread worker : workers) {
				worker.join();
			}
			assertThat(failures).as("exceptions thrown by API calls").isEmpty();
		}

		private void call(SecureStream stream, int slot, Random random) {
			switch (random.nextInt(14)) {
				case 0, 1, 2 -> stream.requestTx();
				case 3 -> stream.requestTxLen(5);
				case 4 -> stream.connect();
				case 5 -> stream.setMetadata("tag", "v" + random.nextInt(1000));
				case 6 -> stream.startTimeout(1 + random.nextInt(40));
				case 7 -> stream.cancelTimeout();
				case 8 -> stream.changeHandler(new Chaotic(this.tracks.get(stream), this.calm));
				case 9 -> stream.validityConfirmed();
				case 10 -> stream.info();
				case 11 -> {
					if (random.nextInt(10) == 0) {
						SecureStream replaced = createWhileDefined();
						if (replaced == null) {
							break;
						}
						if (this.slots.compareAndSet(slot, stream, replaced)) {
							stream.destroy();
						}
						else {
							replaced.destroy();
						}
					}
				}
				default -> stream.requestTx();
			}
		}

		/** Makes the handlers behave from now on. */
		void calm() {
			this.calm.set(true);
		}

		/** Asks each live stream to send once more and waits until it was offered a slot. */
		void assertEveryLiveStreamStillSends() {
			for (int i = 0; i < this.slots.length(); i++) {
				SecureStream stream = this.slots.get(i);
				if (stream.whenDestroyed().toCompletableFuture().isDone()) {
					continue;
				}
				Track track = this.tracks.get(stream);
				int before = track.txCalls.get();
				stream.cancelTimeout();
				stream.requestTx();
				Awaitility.await("onTx for " + stream + " " + track.states).atMost(WAIT)
					.until(() -> track.txCalls.get() > before || track.destroying);
			}
		}

		/** After close: every stream ended with DESTROYING and no callbacks overlapped. */
		void assertAllEndedCleanly(Mode mode) {
			assertThat(this.tracks).isNotEmpty();
			for (Map.Entry<SecureStream, Track> entry : this.tracks.entrySet()) {
				Track track = entry.getValue();
				String what = entry.getKey() + " " + track.states;
				assertThat(entry.getKey().whenDestroyed().toCompletableFuture()).as(what).succeedsWithin(WAIT);
				assertThat(track.problems).as(what).isEmpty();
				List<StreamState> states = track.states.stream()
					.filter((s) -> mode == Mode.DIRECT || s != StreamState.UPSTREAM_LINK_RETRY)
					.toList();
				if (mode == Mode.DIRECT || !states.isEmpty()) {
					assertThat(states).as(what).startsWith(StreamState.CREATING).endsWith(StreamState.DESTROYING);
				}
			}
		}

	}

	/**
	 * The ERROR lines our runtime and Netty log while open; the peers' own (a broker or server
	 * telling of a connection the client cut) are not the runtime's.
	 */
	static final class ErrorLines implements AutoCloseable {

		private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

		private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

		ErrorLines() {
			this.appender.start();
			this.root.addAppender(this.appender);
		}

		void assertNoneButThrowsOfHandlers() {
			List<ILoggingEvent> events;
			// ListAppender adds under the appender's own lock, not the list's.
			synchronized (this.appender) {
				events = List.copyOf(this.appender.list);
			}
			List<String> unexpected = events.stream()
				.filter((event) -> event.getLevel().isGreaterOrEqual(Level.ERROR))
				.filter((event) -> event.getLoggerName().startsWith("io.securestreams.")
						|| event.getLoggerName().startsWith("io.netty."))
				// Leaks, found when a buffer is collected, perhaps a peer's and after the run: the
				// leak detector of the test suite reports them for the class.
				.filter((event) -> !event.getLoggerName().equals("io.netty.util.ResourceLeakDetector"))
				.filter((event) -> !thrownByHandler(event.getThrowableProxy()))
				.map((event) -> event.getLoggerName() + ": " + event.getFormattedMessage())
				.toList();
			assertThat(unexpected).as("ERROR lines").isEmpty();
		}

		private static boolean thrownByHandler(IThrowableProxy thrown) {
			for (IThrowableProxy cause = thrown; cause != null; cause = cause.getCause()) {
				if (cause.getClassName().equals(ThrownByHandler.class.getName())) {
					return true;
				}
			}
			return false;
		}

		@Override
		public void close() {
			this.root.detachAppender(this.appender);
			this.appender.stop();
		}

	}

}
