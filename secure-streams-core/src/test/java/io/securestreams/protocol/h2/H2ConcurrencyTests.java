package io.securestreams.protocol.h2;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStreams;
import io.securestreams.internal.ContextAccess;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.ApiHammer;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many threads calling the stream API on h2 streams that share one connection while their
 * callbacks run, also while the server resets streams, closes or shuts down connections, and while
 * overlays change one of two streamtypes that share the connection: callbacks stay apart, nothing
 * follows DESTROYING, every stream still sends, and the pool of connections ends empty.
 */
class H2ConcurrencyTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	static Map<?, ?> usable(SecureStreams streams) throws ReflectiveOperationException {
		H2ClientProtocol protocol = (H2ClientProtocol) ContextAccess.runtime(streams).clientProtocol(Protocol.H2);
		Field sessions = H2ClientProtocol.class.getDeclaredField("sessions");
		sessions.setAccessible(true);
		Field usable = H2Sessions.class.getDeclaredField("usable");
		usable.setAccessible(true);
		return (Map<?, ?>) usable.get(sessions.get(protocol));
	}

	@Test
	void manyThreadsCallingTheApiOnStreamsSharingOneConnectionKeepCallbacksApart() throws Exception {
		MockWebServer server = H2TestServers.h2(this.resources);
		server.setDispatcher(new HttpbinDispatcher());
		hammerPostsTo(server, 12);
	}

	@Test
	void streamsResetOrConnectionsClosedOrShutDownByATlsServerMidExchangeLeaveLegalStates() throws Exception {
		MockWebServer server = H2TestServers.h2(this.resources);
		AtomicInteger requests = new AtomicInteger();
		server.setDispatcher(new Dispatcher() {
			@Override
			public MockResponse dispatch(RecordedRequest request) {
				MockResponse.Builder response = new MockResponse.Builder().code(200)
					.body("x".repeat(4096));
				return switch (requests.incrementAndGet() % 10) {
					case 1 -> response.onResponseStart(new SocketEffect.CloseStream(8)).build();
					case 3 -> response.onResponseBody(new SocketEffect.CloseSocket()).build();
					case 5 -> response.onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE).build();
					case 7 -> response.throttleBody(512, 5, TimeUnit.MILLISECONDS).build();
					default -> response.build();
				};
			}
		});
		hammerPostsTo(server, 16);
		assertThat(requests).hasValueGreaterThan(10);
	}

	// Streams of one streamtype POSTing to the server over one shared connection, driven by 4
	// threads for 3 s; every live stream must still send, and every stream end cleanly at close.
	private void hammerPostsTo(MockWebServer server, int streamCount) throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		fragment.retry(new RetryPolicy("patient", List.of(10, 20), 1000, 0, 0, 0));
		H2TestServers.policy(fragment.streamType("t"), server, "POST", "/echo")
			.set(StreamTypeKey.RETRY, "patient")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "x-tag:")));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		ApiHammer hammer = new ApiHammer(streams, "t", streamCount);
		hammer.callAtRandom(4, Duration.ofSeconds(3));
		hammer.assertEveryLiveStreamStillSends(WAIT);
		streams.close();
		hammer.assertAllEndedCleanly(WAIT);
		Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(usable(streams)).isEmpty());
	}

	@Test
	void overlaysChangingOneStreamtypeWhileStreamsOfTwoShareTheConnectionLeaveLegalStates() throws Exception {
		MockWebServer server = H2TestServers.start(this.resources, okhttp3.Protocol.H2_PRIOR_KNOWLEDGE);
		server.setDispatcher(new HttpbinDispatcher());
		PolicyFragment fragment = TestPolicies.base();
		fragment.retry(new RetryPolicy("patient", List.of(10, 20), 1000, 0, 0, 0));
		for (String name : List.of("a", "b")) {
			H2TestServers.policy(fragment.streamType(name), server, "POST", "/echo")
				.set(StreamTypeKey.RETRY, "patient")
				.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "x-tag:")));
		}
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		ApiHammer a = new ApiHammer(streams, "a", 8);
		ApiHammer b = new ApiHammer(streams, "b", 8);
		AtomicBoolean stop = new AtomicBoolean();
		List<Throwable> failures = new CopyOnWriteArrayList<>();
		Thread policy = new Thread(() -> {
			int round = 0;
			while (!stop.get()) {
				try {
					switch (round++ % 4) {
						case 0 -> streams.applyOverlay("url", "{\"s\":[{\"a\":{\"http_url\":\"/bytes/30\"}}]}");
						case 1 -> streams.applyOverlay("quirk", "{\"s\":[{\"a\":{\"h2q_oflow_txcr\":true}}]}");
						case 2 -> streams.applyOverlay("host", "{\"s\":[{\"a\":{\"endpoint\":\"localhost\"}}]}");
						default -> streams.resetOverlays();
					}
					Thread.sleep(20);
				}
				catch (InterruptedException ex) {
					return;
				}
				catch (Throwable ex) {
					failures.add(ex);
				}
			}
		}, "policy");
		policy.start();
		Thread other = new Thread(() -> {
			try {
				b.callAtRandom(2, Duration.ofSeconds(3));
			}
			catch (Throwable ex) {
				failures.add(ex);
			}
		});
		other.start();
		try {
			a.callAtRandom(2, Duration.ofSeconds(3));
		}
		finally {
			other.join();
			stop.set(true);
			policy.join();
		}
		assertThat(failures).isEmpty();
		a.assertEveryLiveStreamStillSends(WAIT);
		b.assertEveryLiveStreamStillSends(WAIT);
		streams.close();
		a.assertAllEndedCleanly(WAIT);
		b.assertAllEndedCleanly(WAIT);
		Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(usable(streams)).isEmpty());
	}

}
