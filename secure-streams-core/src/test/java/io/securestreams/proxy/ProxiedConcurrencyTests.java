package io.securestreams.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.Unpooled;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.ApiHammer;
import io.securestreams.testsupport.CallbackChecker;
import io.securestreams.proxy.wire.SsMessage;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.ProxyUnderTest;
import io.securestreams.testsupport.ScriptedProxy;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The threading promises of docs/streams.md for proxied streams (docs/proxy.md): many threads
 * calling the API, calls made before the proxy's CREATE_RESULT, the client's context and the
 * proxy closing or restarting while streams are live, and policy changes at the proxy. Every
 * stream keeps its callbacks apart and ends with legal states; the proxy keeps no link or onward
 * stream of a client that has gone.
 */
class ProxiedConcurrencyTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	@TempDir
	Path temp;

	private Policy echoPolicy() {
		this.server.setDispatcher(new HttpbinDispatcher());
		PolicyFragment fragment = TestPolicies.base();
		fragment.retry(new RetryPolicy("patient", List.of(10, 20), 1000, 0, 0, 0));
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "POST", "/echo")
			.set(StreamTypeKey.RETRY, "patient")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "x-tag:")));
		return fragment.build();
	}

	@Test
	void manyThreadsCallingTheApiOnProxiedStreamsKeepCallbacksApartAndLoseNoRequest() throws Exception {
		StreamsUnderTest under = this.resources.start(Mode.PROXIED, echoPolicy(), (b) -> b.eventLoopThreads(2));
		SecureStreams streams = under.streams();
		ApiHammer hammer = new ApiHammer(streams, "t", 12);
		hammer.callAtRandom(4, Duration.ofSeconds(3));
		hammer.assertEveryLiveStreamStillSends(WAIT);
		streams.close();
		hammer.assertAllProxiedEndedCleanly(WAIT);
		SecureStreamsProxy proxy = under.proxy();
		Awaitility.await().atMost(WAIT).until(() -> proxy.links().isEmpty());
		Awaitility.await().atMost(WAIT).until(() -> proxy.context().streams().isEmpty());
	}

	@Test
	void aLengthHintOnTheLinkThatReplacesOneDroppedWhileConnectingKeepsTheStreamAlive() throws Exception {
		StreamsUnderTest under = this.resources.start(Mode.PROXIED, echoPolicy(), (b) -> b.eventLoopThreads(1));
		CountDownLatch droppedOnce = new CountDownLatch(1);
		CallbackChecker handler = new CallbackChecker() {
			@Override
			protected StreamResult state(SecureStream stream, StreamState state) {
				if (state == StreamState.CONNECTING && droppedOnce.getCount() > 0) {
					droppedOnce.countDown();
					return StreamResult.DISCONNECT_ME;
				}
				return StreamResult.OK;
			}

			@Override
			protected StreamResult tx(SecureStream stream, io.securestreams.TxSlot slot) {
				slot.buffer().put("hello".getBytes(StandardCharsets.US_ASCII));
				slot.flags(StreamFlags.SOM | StreamFlags.EOM);
				return StreamResult.OK;
			}
		};
		SecureStream stream = under.streams().create("t", handler);
		stream.requestTxLen(5);
		assertThat(droppedOnce.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
		// Asked for after the hang-up: the next link carries the length hint, and the proxy's new
		// onward stream reports POLL for it, while this stream last heard CONNECTING.
		stream.requestTxLen(5);
		Awaitility.await(handler.states.toString()).atMost(WAIT)
			.until(() -> handler.states.contains(StreamState.QOS_ACK_REMOTE) || handler.destroyed());
		assertThat(handler.problems).isEmpty();
		assertThat(handler.destroyed()).as(handler.states.toString()).isFalse();
		assertThat(handler.states).startsWith(StreamState.CREATING, StreamState.POLL, StreamState.CONNECTING,
				StreamState.CONNECTING, StreamState.CONNECTED, StreamState.QOS_ACK_REMOTE);
	}

	@Test
	void policyOverlaysAtTheProxyWhileProxiedStreamsAreHammeredKeepEveryStreamLegal() throws Exception {
		StreamsUnderTest under = this.resources.start(Mode.PROXIED, echoPolicy(), (b) -> b.eventLoopThreads(2));
		SecureStreams context = under.proxy().context();
		SecureStreams streams = under.streams();
		ApiHammer hammer = new ApiHammer(streams, "t", 10);
		List<Throwable> failures = new CopyOnWriteArrayList<>();
		AtomicBoolean stop = new AtomicBoolean();
		Thread policies = new Thread(() -> {
			int round = 0;
			while (!stop.get()) {
				try {
					switch (round++ % 3) {
						case 0 -> context.applyOverlay("url", "{\"s\":[{\"t\":{\"http_url\":\"/echo?o=1\"}}]}");
						case 1 -> context.applyOverlay("new", "{\"s\":[{\"o\":{\"endpoint\":\"127.0.0.1\","
								+ "\"port\":9,\"protocol\":\"h1\",\"http_method\":\"GET\",\"http_url\":\"/\"}}]}");
						default -> context.resetOverlays();
					}
					Thread.sleep(5);
				}
				catch (Throwable ex) {
					failures.add(ex);
				}
			}
		}, "policy");
		policies.start();
		try {
			hammer.callAtRandom(3, Duration.ofSeconds(2));
		}
		finally {
			stop.set(true);
			policies.join();
		}
		assertThat(failures).isEmpty();
		hammer.assertEveryLiveStreamStillSends(WAIT);
		streams.close();
		hammer.assertAllProxiedEndedCleanly(WAIT);
		Awaitility.await().atMost(WAIT).until(() -> under.proxy().links().isEmpty() && context.streams().isEmpty());
	}

	@Test
	void destroyBeforeCreateResultEndsTheLinkWithoutCallbacks() throws Exception {
		Path socket = this.temp.resolve("late.sock");
		ScriptedProxy proxy = new ScriptedProxy(socket);
		SecureStreams client = this.resources.start(SecureStreams.proxiedBuilder(proxy.address()).eventLoopThreads(1));
		// Nobody listens yet: the stream retries; destroyed meanwhile, it must not come back.
		CallbackChecker retrying = new CallbackChecker();
		SecureStream unreachable = client.create("t", retrying);
		unreachable.requestTx();
		unreachable.setMetadata("tag", "x");
		Awaitility.await().atMost(WAIT).until(() -> retrying.states.contains(StreamState.UPSTREAM_LINK_RETRY));
		unreachable.destroy();
		assertThat(unreachable.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		proxy.listen();
		try (proxy) {
			CallbackChecker waiting = new CallbackChecker();
			SecureStream early = client.create("t", waiting);
			early.requestTxLen(5);
			early.setMetadata("tag", "y");
			ScriptedProxy.Link link = proxy.accept(WAIT);
			assertThat(link.next().type()).isEqualTo(0xaa);
			early.destroy();
			assertThat(early.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
			try {
				// A late CREATE_RESULT, if the link is still open, changes nothing.
				link.send(ToClient.CreateResult.ok(0, List.of("t")), connState(StreamState.CREATING));
			}
			catch (IOException ex) {
				// Already closed by the client.
			}
			link.awaitClosed();
			// The destroyed unreachable stream never linked again.
			assertThat(proxy.acceptNow()).isNull();
			assertThat(waiting.states).isEmpty();
			assertThat(waiting.problems).isEmpty();
			assertThat(retrying.states).containsOnly(StreamState.UPSTREAM_LINK_RETRY);
			assertThat(retrying.problems).isEmpty();
			assertThat(client.streams()).isEmpty();
		}
	}

	@RepeatedTest(3)
	void clientContextCloseRacingCreateAndDestroyGivesEveryStreamLegalFinalStates() throws Exception {
		StreamsUnderTest under = this.resources.start(Mode.PROXIED, echoPolicy(), (b) -> b.eventLoopThreads(2));
		SecureStreams streams = under.streams();
		Map<SecureStream, CallbackChecker> created = new ConcurrentHashMap<>();
		List<Throwable> failures = new CopyOnWriteArrayList<>();
		CountDownLatch started = new CountDownLatch(3);
		List<Thread> creators = new ArrayList<>();
		for (int t = 0; t < 3; t++) {
			long seed = t;
			creators.add(new Thread(() -> {
				Random random = new Random(seed);
				List<SecureStream> mine = new ArrayList<>();
				started.countDown();
				while (true) {
					CallbackChecker checker = new CallbackChecker();
					try {
						SecureStream stream = streams.create("t", checker);
						created.put(stream, checker);
						mine.add(stream);
						stream.requestTx();
						if (random.nextInt(3) == 0) {
							mine.remove(random.nextInt(mine.size())).destroy();
						}
						Thread.sleep(random.nextInt(3));
					}
					catch (SecureStreamsException ex) {
						return;
					}
					catch (Throwable ex) {
						failures.add(ex);
						return;
					}
				}
			}, "creator-" + t));
		}
		creators.forEach(Thread::start);
		started.await();
		Thread.sleep(300 + new Random().nextInt(300));
		streams.close();
		for (Thread creator : creators) {
			creator.join();
		}
		assertThat(failures).isEmpty();
		assertThat(created).isNotEmpty();
		for (Map.Entry<SecureStream, CallbackChecker> entry : created.entrySet()) {
			ApiHammer.assertProxiedEndedCleanly(entry.getKey(), entry.getValue(), WAIT);
		}
		assertThat(streams.streams()).isEmpty();
		Awaitility.await().atMost(WAIT)
			.until(() -> under.proxy().links().isEmpty() && under.proxy().context().streams().isEmpty());
	}

	@Test
	void onwardConnectionsDroppingWhileProxiedStreamsAreHammeredKeepEveryStreamLegal() throws Exception {
		Policy policy = echoPolicy();
		HttpbinDispatcher echo = new HttpbinDispatcher();
		AtomicInteger requests = new AtomicInteger();
		this.server.setDispatcher(new mockwebserver3.Dispatcher() {
			@Override
			public mockwebserver3.MockResponse dispatch(mockwebserver3.RecordedRequest request) {
				return switch (requests.incrementAndGet() % 3) {
					case 0 -> new mockwebserver3.MockResponse.Builder()
						.onResponseStart(mockwebserver3.SocketEffect.ShutdownConnection.INSTANCE).build();
					case 1 -> new mockwebserver3.MockResponse.Builder().body("partial body of the echo")
						.onResponseBody(mockwebserver3.SocketEffect.ShutdownConnection.INSTANCE).build();
					default -> echo.dispatch(request);
				};
			}
		});
		StreamsUnderTest under = this.resources.start(Mode.PROXIED, policy, (b) -> b.eventLoopThreads(2));
		SecureStreams streams = under.streams();
		ApiHammer hammer = new ApiHammer(streams, "t", 10);
		hammer.callAtRandom(3, Duration.ofSeconds(2));
		streams.close();
		hammer.assertAllProxiedEndedCleanly(WAIT);
		Awaitility.await().atMost(WAIT)
			.until(() -> under.proxy().links().isEmpty() && under.proxy().context().streams().isEmpty());
		assertThat(requests).hasPositiveValue();
	}

	@Test
	void onwardStreamCreatedWhileThePolicyDropsItsStreamtypeDoesNotLiveOn() throws Exception {
		PolicyFragment withB = TestPolicies.base();
		TestPolicies.h1(withB.streamType("a"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/10");
		TestPolicies.h1(withB.streamType("b"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/10");
		Policy both = withB.build();
		PolicyFragment onlyA = TestPolicies.base();
		TestPolicies.h1(onlyA.streamType("a"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/10");
		Policy withoutB = onlyA.build();
		ProxyUnderTest harness = this.resources.closing(new ProxyUnderTest(both, this.temp));
		SecureStreams context = harness.context();
		byte[] streamType = SsWire.toBytes(new ToProxy.StreamType(1, 1, 0, "b"));
		for (int round = 0; round < 10; round++) {
			context.replacePolicy(both);
			List<SocketChannel> links = new ArrayList<>();
			for (int i = 0; i < 40; i++) {
				links.add(harness.connectRaw());
			}
			Awaitility.await().atMost(WAIT).until(() -> harness.proxy().links().size() == 40);
			// Forty onward creations under way on the proxy's loops while the policy drops "b".
			Thread dropper = new Thread(() -> context.replacePolicy(withoutB), "policy");
			for (int i = 0; i < links.size(); i++) {
				FrameReader.write(links.get(i), streamType);
				if (i == 10) {
					dropper.start();
				}
			}
			dropper.join();
			int at = round;
			Awaitility.await("onward streams of 'b' after round " + at)
				.atMost(WAIT)
				.until(() -> context.streams().stream().noneMatch((s) -> s.streamType().equals("b")));
			for (SocketChannel link : links) {
				link.close();
			}
			Awaitility.await().atMost(WAIT).until(() -> harness.proxy().links().isEmpty());
		}
	}

	@Test
	void proxyClosedAndRestartedOnTheSameAddressWhileClientsSendLeavesNothingBehindAndClientsCarryOn()
			throws Exception {
		Policy policy = echoPolicy();
		SecureStreams context = this.resources
			.start(SecureStreams.builder(policy).eventLoopThreads(2).shutdownTimeout(Duration.ofSeconds(5)));
		ProxyAddress address = ProxyAddress.parse("+" + this.temp.resolve("proxy.sock"));
		SecureStreamsProxy first = SecureStreamsProxy.builder(context).listen(address).start();
		SecureStreams client = this.resources.start(
				SecureStreams.proxiedBuilder(address.toString()).eventLoopThreads(2)
					.shutdownTimeout(Duration.ofSeconds(5)));
		ApiHammer hammer = new ApiHammer(client, "t", 8);
		Thread closer = new Thread(() -> {
			sleep(700);
			first.close();
		}, "proxy-closer");
		closer.start();
		hammer.callAtRandom(3, Duration.ofSeconds(2));
		closer.join();
		// Closed: no link and no onward stream is left, while the clients retry.
		assertThat(first.links()).isEmpty();
		Awaitility.await().atMost(WAIT).until(() -> context.streams().isEmpty());
		SecureStreamsProxy second = this.resources
			.closing(SecureStreamsProxy.builder(context).listen(address).start());
		hammer.callAtRandom(3, Duration.ofSeconds(1));
		hammer.assertEveryLiveStreamStillSends(WAIT);
		client.close();
		hammer.assertAllProxiedEndedCleanly(WAIT);
		Awaitility.await().atMost(WAIT).until(() -> second.links().isEmpty() && context.streams().isEmpty());
	}

	@Test
	void proxyCloseReturnsWithNoLinkAndNoOnwardStreamLeft() throws Exception {
		Policy policy = echoPolicy();
		SecureStreams context = this.resources.start(SecureStreams.builder(policy).eventLoopThreads(2));
		SecureStreams client = this.resources
			.start(SecureStreams.proxiedBuilder(ProxyAddress.parse("+" + this.temp.resolve("proxy.sock")).toString())
				.eventLoopThreads(2));
		ProxyAddress address = ProxyAddress.parse("+" + this.temp.resolve("proxy.sock"));
		List<CallbackChecker> checkers = new ArrayList<>();
		List<SecureStream> created = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			CallbackChecker checker = new CallbackChecker();
			checkers.add(checker);
			created.add(client.create("t", checker));
		}
		for (int round = 0; round < 4; round++) {
			SecureStreamsProxy proxy = SecureStreamsProxy.builder(context).listen(address).start();
			Awaitility.await().atMost(WAIT).until(() -> proxy.links().size() == 6 && context.streams().size() == 6);
			proxy.close();
			assertThat(proxy.links()).as("round " + round).isEmpty();
			assertThat(context.streams()).as("round " + round).isEmpty();
		}
		client.close();
		for (int i = 0; i < created.size(); i++) {
			ApiHammer.assertProxiedEndedCleanly(created.get(i), checkers.get(i), WAIT);
		}
	}

	@Test
	void nothingReachesTheHandlerAfterItReturnedDestroyMe() throws Exception {
		try (ScriptedProxy proxy = new ScriptedProxy(this.temp.resolve("scripted.sock")).listen()) {
			SecureStreams client = this.resources
				.start(SecureStreams.proxiedBuilder(proxy.address()).eventLoopThreads(1));
			AtomicInteger rxAfterConnected = new AtomicInteger();
			CallbackChecker fromState = new CallbackChecker() {
				@Override
				protected StreamResult state(SecureStream stream, StreamState state) {
					return (state == StreamState.CONNECTED) ? StreamResult.DESTROY_ME : StreamResult.OK;
				}

				@Override
				protected StreamResult rx(SecureStream stream, ByteBuffer payload, int flags) {
					rxAfterConnected.incrementAndGet();
					return StreamResult.OK;
				}
			};
			SecureStream first = client.create("t", fromState);
			// Everything in one write, so that the client reads it in one go.
			serve(proxy, ToClient.CreateResult.ok(0, List.of("t")), connState(StreamState.CREATING),
					connState(StreamState.CONNECTING), connState(StreamState.CONNECTED), rx("one"), rx("two"));
			assertThat(first.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
			assertThat(fromState.problems).isEmpty();
			assertThat(rxAfterConnected).as("onRx after DESTROY_ME from CONNECTED").hasValue(0);
			assertThat(fromState.states).containsExactly(StreamState.CREATING, StreamState.CONNECTING,
					StreamState.CONNECTED, StreamState.DISCONNECTED, StreamState.DESTROYING);

			List<String> received = new CopyOnWriteArrayList<>();
			CallbackChecker fromRx = new CallbackChecker() {
				@Override
				protected StreamResult rx(SecureStream stream, ByteBuffer payload, int flags) {
					received.add(StandardCharsets.US_ASCII.decode(payload).toString());
					return StreamResult.DESTROY_ME;
				}
			};
			SecureStream second = client.create("t", fromRx);
			serve(proxy, ToClient.CreateResult.ok(0, List.of("t")), connState(StreamState.CREATING),
					connState(StreamState.CONNECTING), connState(StreamState.CONNECTED), rx("one"), rx("two"),
					connState(StreamState.TIMEOUT));
			assertThat(second.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
			assertThat(fromRx.problems).isEmpty();
			assertThat(received).containsExactly("one");
			assertThat(fromRx.states).containsExactly(StreamState.CREATING, StreamState.CONNECTING,
					StreamState.CONNECTED, StreamState.DISCONNECTED, StreamState.DESTROYING);
		}
	}

	// Accepts the next link, reads its STREAMTYPE and answers with the messages in one write.
	private static void serve(ScriptedProxy proxy, SsMessage... messages) throws Exception {
		ScriptedProxy.Link link = proxy.accept(WAIT);
		assertThat(link.next().type()).isEqualTo(0xaa);
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		for (SsMessage message : messages) {
			all.writeBytes(SsWire.toBytes(message));
		}
		link.send(all.toByteArray());
	}

	private static SsMessage connState(StreamState state) {
		return new ToClient.ConnState(state.value(), 0);
	}

	private static SsMessage rx(String text) {
		return new ToClient.RxPayload(StreamFlags.SOM | StreamFlags.EOM, 0, 1, null,
				Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII)));
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
