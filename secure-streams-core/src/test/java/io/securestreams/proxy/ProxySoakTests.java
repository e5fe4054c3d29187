package io.securestreams.proxy;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.internal.ContextAccess;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.smd.SmdClass;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScheduledTasks;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proxy clients that come and go for months: the proxy's links, the onward streams, the SMD
 * subscriptions and the timers of both sides must come back to where they started.
 */
class ProxySoakTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void clientsThatComeAndGoLeaveNothingAtTheProxyOrTheClient() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", 9, "GET", "/");
		SecureStreams fulfilling = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		SecureStreamsProxy proxy = this.resources
			.closing(SecureStreamsProxy.builder(fulfilling)
				.listen(new ProxyAddress(ProxyAddress.Kind.TCP, "127.0.0.1", 0))
				.start());
		SecureStreams client = this.resources
			.start(SecureStreams.proxiedBuilder("127.0.0.1:" + proxy.address().port()).eventLoopThreads(2));
		List<String> proxyBaseline = ScheduledTasks.of(fulfilling);
		List<String> clientBaseline = ScheduledTasks.of(client);
		int subscriptions = fulfilling.smd().subscriptions();
		for (int round = 0; round < 5; round++) {
			List<SecureStream> created = new ArrayList<>();
			CountDownLatch creating = new CountDownLatch(100);
			for (int i = 0; i < 100; i++) {
				RecordingHandler handler = new RecordingHandler().onState((s, state) -> {
					if (state == StreamState.CREATING) {
						creating.countDown();
					}
					return StreamResult.OK;
				});
				created.add((i % 4 == 0) ? client.createSmd(SmdClass.NETWORK, handler) : client.create("get", handler));
			}
			assertThat(creating.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			Awaitility.await().atMost(WAIT).until(() -> proxy.links().size() == 100);
			created.forEach(SecureStream::destroy);
			for (SecureStream stream : created) {
				stream.whenDestroyed().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
			}
		}
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			assertThat(proxy.links()).isEmpty();
			assertThat(ContextAccess.runtime(fulfilling).streams()).isEmpty();
			assertThat(ContextAccess.runtime(client).streams()).isEmpty();
			assertThat(fulfilling.smd().subscriptions()).isEqualTo(subscriptions);
			assertThat(ScheduledTasks.of(fulfilling)).containsExactlyInAnyOrderElementsOf(proxyBaseline);
			assertThat(ScheduledTasks.of(client)).containsExactlyInAnyOrderElementsOf(clientBaseline);
		});
	}

	@Test
	void connectionsThatNeverSendStreamTypeLeaveNoLinksOrTimers() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", 9, "GET", "/");
		SecureStreams fulfilling = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		SecureStreamsProxy proxy = this.resources
			.closing(SecureStreamsProxy.builder(fulfilling)
				.listen(new ProxyAddress(ProxyAddress.Kind.TCP, "127.0.0.1", 0))
				.start());
		List<String> baseline = ScheduledTasks.of(fulfilling);
		for (int i = 0; i < 500; i++) {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", proxy.address().port()));
			}
		}
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			assertThat(proxy.links()).isEmpty();
			assertThat(ScheduledTasks.of(fulfilling)).containsExactlyInAnyOrderElementsOf(baseline);
		});
	}

	@Test
	void streamsDestroyedWhileTheProxyIsUnreachableLeaveNoTimers() throws Exception {
		int port;
		try (java.net.ServerSocket closed = new java.net.ServerSocket(0, 1,
				java.net.InetAddress.getByName("127.0.0.1"))) {
			port = closed.getLocalPort();
		}
		SecureStreams client = this.resources
			.start(SecureStreams.proxiedBuilder("127.0.0.1:" + port).eventLoopThreads(2));
		List<String> baseline = ScheduledTasks.of(client);
		for (int round = 0; round < 5; round++) {
			List<SecureStream> created = new ArrayList<>();
			for (int i = 0; i < 200; i++) {
				SecureStream stream = client.create("get", new RecordingHandler());
				if (i % 2 == 0) {
					stream.requestTx();
				}
				created.add(stream);
			}
			// Some are waiting for their next try by now, others still connecting.
			Thread.sleep(50);
			created.forEach(SecureStream::destroy);
			for (SecureStream stream : created) {
				stream.whenDestroyed().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
			}
		}
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			assertThat(ContextAccess.runtime(client).streams()).isEmpty();
			assertThat(ScheduledTasks.of(client)).containsExactlyInAnyOrderElementsOf(baseline);
		});
	}

}
