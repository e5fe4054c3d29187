package io.securestreams.transport;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Name lookups that never return (a DNS server that drops the queries for one domain, an
 * application's lookup that hangs) hold their threads, but not the lookups of other names:
 * those are answered while the hung ones still wait.
 */
class HungNameLookupTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void lookupsThatHangDoNotHoldUpTheLookupOfAnotherName() throws Exception {
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.start(InetAddress.getByName("127.0.0.1"), 0);
		server.enqueue(new MockResponse.Builder().body("ok").build());
		CountDownLatch release = new CountDownLatch(1);
		AtomicInteger hanging = new AtomicInteger();
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("hung"), "hung.example", 80, "GET", "/").set(StreamTypeKey.RETRY, null);
		TestPolicies.h1(fragment.streamType("good"), "good.example", server.getPort(), "GET", "/")
			.set(StreamTypeKey.RETRY, null);
		try {
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
				.eventLoopThreads(1)
				.hostNameLookup((host) -> {
					if (host.equals("hung.example")) {
						hanging.incrementAndGet();
						try {
							release.await();
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
						}
					}
					return new InetAddress[] { InetAddress.getByName("127.0.0.1") };
				}));
			// More hung lookups than the two lookup threads there were, each holding lookups queued behind it.
			for (int i = 0; i < 3; i++) {
				streams.create("hung", new RecordingHandler()).requestTx();
			}
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hanging.get() >= 2);
			RecordingHandler good = new RecordingHandler();
			streams.create("good", good).requestTx();
			Awaitility.await()
				.atMost(Duration.ofSeconds(30))
				.until(() -> good.states.contains(StreamState.QOS_ACK_REMOTE)
						|| good.states.contains(StreamState.ALL_RETRIES_FAILED));
			assertThat(good.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
					"QOS_ACK_REMOTE");
		}
		finally {
			release.countDown();
		}
	}

}
