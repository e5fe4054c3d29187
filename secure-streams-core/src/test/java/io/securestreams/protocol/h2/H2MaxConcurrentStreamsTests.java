package io.securestreams.protocol.h2;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.ApiHammer;
import io.securestreams.testsupport.CallbackChecker;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * h2 streams sharing one connection to a Jetty h2c server that allows two concurrent streams:
 * streams that wait for a slot, or hold one mid-request-body or mid-response, and are destroyed
 * must give their slot back, so later streams are still served; and threads driving the streams
 * while the server drops or shuts down (GOAWAY) its connections leave every stream legal states.
 */
class H2MaxConcurrentStreamsTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final Server jetty = new Server();

	private ServerConnector connector;

	@BeforeEach
	void startJetty() throws Exception {
		HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory(new HttpConfiguration());
		h2c.setMaxConcurrentStreams(2);
		this.connector = new ServerConnector(this.jetty, h2c);
		this.connector.setHost("127.0.0.1");
		this.connector.setPort(0);
		this.jetty.addConnector(this.connector);
		this.jetty.setHandler(new Handler.Abstract() {
			@Override
			public boolean handle(Request request, Response response, Callback callback) throws Exception {
				String path = request.getHttpURI().getPath();
				response.setStatus(200);
				if (path.equals("/endless")) {
					// Headers, then body pieces until the client goes away.
					try {
						while (true) {
							try (Blocker.Callback piece = Blocker.callback()) {
								response.write(false, BufferUtil.toBuffer(new byte[1024]), piece);
								piece.block();
							}
							Thread.sleep(5);
						}
					}
					catch (Exception ex) {
						callback.failed(ex);
						return true;
					}
				}
				String body = Content.Source.asString(request, StandardCharsets.UTF_8);
				Thread.sleep(50);
				Content.Sink.write(response, true, "read '" + body + "'", callback);
				return true;
			}
		});
		this.jetty.start();
	}

	@AfterEach
	void stopJetty() throws Exception {
		this.jetty.stop();
	}

	private SecureStreams start(int loops) {
		PolicyFragment fragment = TestPolicies.base();
		int port = this.connector.getLocalPort();
		TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", port, "GET", "/slow")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2);
		TestPolicies.h1(fragment.streamType("endless"), "127.0.0.1", port, "GET", "/endless")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2);
		TestPolicies.h1(fragment.streamType("post"), "127.0.0.1", port, "POST", "/slow")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2);
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(loops));
	}

	@Test
	void streamsDestroyedWhileWaitingForASlotDoNotKeepIt() throws Exception {
		SecureStreams streams = start(2);
		Map<SecureStream, CallbackChecker> all = new ConcurrentHashMap<>();
		List<SecureStream> kept = new CopyOnWriteArrayList<>();
		List<Throwable> failures = new CopyOnWriteArrayList<>();
		List<Thread> threads = new ArrayList<>();
		for (int t = 0; t < 4; t++) {
			long seed = t;
			threads.add(new Thread(() -> {
				Random random = new Random(seed);
				try {
					for (int i = 0; i < 5; i++) {
						CallbackChecker checker = new CallbackChecker();
						SecureStream stream = streams.create("get", checker);
						all.put(stream, checker);
						stream.requestTx();
						if (random.nextBoolean()) {
							Thread.sleep(random.nextInt(20));
							stream.destroy();
						}
						else {
							kept.add(stream);
						}
					}
				}
				catch (Throwable ex) {
					failures.add(ex);
				}
			}));
		}
		threads.forEach(Thread::start);
		for (Thread thread : threads) {
			thread.join();
		}
		assertThat(failures).isEmpty();
		for (SecureStream stream : kept) {
			CallbackChecker checker = all.get(stream);
			Awaitility.await(stream + " " + checker.states).atMost(WAIT)
				.until(() -> checker.states.contains(StreamState.QOS_ACK_REMOTE));
		}
		// The slots are all free again: a new round is served.
		List<SecureStream> more = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			CallbackChecker checker = new CallbackChecker();
			SecureStream stream = streams.create("get", checker);
			all.put(stream, checker);
			more.add(stream);
			stream.requestTx();
		}
		for (SecureStream stream : more) {
			CallbackChecker checker = all.get(stream);
			Awaitility.await(stream + " " + checker.states).atMost(WAIT)
				.until(() -> checker.states.contains(StreamState.QOS_ACK_REMOTE));
		}
		streams.close();
		assertEndedCleanly(streams, all);
	}

	@Test
	void streamsDestroyedMidRequestBodyOrMidResponseGiveTheirSlotsBack() throws Exception {
		SecureStreams streams = start(1);
		Map<SecureStream, CallbackChecker> all = new ConcurrentHashMap<>();
		for (int round = 0; round < 3; round++) {
			CallbackChecker openBody = new CallbackChecker() {
				@Override
				protected StreamResult tx(SecureStream stream, TxSlot slot) {
					slot.buffer().put(new byte[100]);
					slot.flags((this.txCalls.get() == 1) ? StreamFlags.SOM : 0);
					stream.requestTx();
					return StreamResult.OK;
				}
			};
			SecureStream posting = streams.create("post", openBody);
			all.put(posting, openBody);
			posting.requestTx();
			CallbackChecker endless = new CallbackChecker();
			SecureStream receiving = streams.create("endless", endless);
			all.put(receiving, endless);
			receiving.requestTx();
			Awaitility.await().atMost(WAIT).until(() -> openBody.txCalls.get() > 5);
			Awaitility.await().atMost(WAIT).until(() -> endless.states.contains(StreamState.CONNECTED));
			posting.destroy();
			receiving.destroy();
			CallbackChecker get = new CallbackChecker();
			SecureStream getter = streams.create("get", get);
			all.put(getter, get);
			getter.requestTx();
			Awaitility.await(getter + " " + get.states).atMost(WAIT)
				.until(() -> get.states.contains(StreamState.QOS_ACK_REMOTE));
		}
		streams.close();
		assertEndedCleanly(streams, all);
	}

	@Test
	void connectionsDroppedOrGoneAwayWhileThreadsDriveTheStreamsLeaveLegalStates() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		fragment.retry(new RetryPolicy("patient", List.of(10, 20), 1000, 0, 0, 0));
		int port = this.connector.getLocalPort();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", port, "POST", "/slow")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2)
			.set(StreamTypeKey.RETRY, "patient")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "x-tag:")));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		ApiHammer hammer = new ApiHammer(streams, "t", 20);
		AtomicBoolean stop = new AtomicBoolean();
		Thread dropper = new Thread(() -> {
			int round = 0;
			while (!stop.get()) {
				for (EndPoint endPoint : this.connector.getConnectedEndPoints()) {
					if (round % 2 == 0) {
						endPoint.close();
					}
					else if (endPoint.getConnection() instanceof HTTP2Connection h2) {
						h2.getSession().shutdown();
					}
				}
				round++;
				try {
					Thread.sleep(30);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		});
		dropper.start();
		try {
			hammer.callAtRandom(4, Duration.ofSeconds(3));
		}
		finally {
			stop.set(true);
			dropper.join();
		}
		hammer.assertEveryLiveStreamStillSends(WAIT);
		streams.close();
		hammer.assertAllEndedCleanly(WAIT);
		Awaitility.await().atMost(WAIT)
			.untilAsserted(() -> assertThat(H2ConcurrencyTests.usable(streams)).isEmpty());
	}

	private static void assertEndedCleanly(SecureStreams streams, Map<SecureStream, CallbackChecker> all)
			throws Exception {
		for (Map.Entry<SecureStream, CallbackChecker> entry : all.entrySet()) {
			String what = entry.getKey() + " " + entry.getValue().states;
			assertThat(entry.getKey().whenDestroyed().toCompletableFuture()).as(what).succeedsWithin(WAIT);
			assertThat(entry.getValue().problems).as(what).isEmpty();
			assertThat(entry.getValue().states).as(what).startsWith(StreamState.CREATING)
				.endsWith(StreamState.DESTROYING);
		}
		assertThat(streams.streams()).isEmpty();
		Awaitility.await().atMost(WAIT)
			.untilAsserted(() -> assertThat(H2ConcurrencyTests.usable(streams)).isEmpty());
	}

}
