package io.securestreams.connectivity;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStreams;
import io.securestreams.smd.SmdClass;
import io.securestreams.smd.SmdMessage;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Captive portal detection started by libwebsockets' requests on the system message bus
 * (reference §9.2: a NETWORK message {@code "type":"ipacq"} or {@code "trigger":"cpdcheck"}),
 * against a MockWebServer playing the connectivity check URL.
 */
class DetectionOnRequestTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private final List<String> results = new CopyOnWriteArrayList<>();

	private SecureStreams start() {
		SecureStreams streams = this.resources.start(SecureStreams.builder(
				CaptivePortalDetectorTests.policy(this.server.getPort(), (b) -> {
				})).eventLoopThreads(1));
		streams.smd().subscribe(SmdClass.NETWORK, Runnable::run, (message) -> {
			if (message.text().contains("\"result\"")) {
				this.results.add(message.text());
			}
		});
		return streams;
	}

	@Test
	void aCpdcheckTriggerAndAnIpAcquiredMessageEachStartADetection() throws Exception {
		SecureStreams streams = start();
		try (CaptivePortalDetector detector = new CaptivePortalDetector(streams)) {
			detector.detectOnRequest();
			detector.detectOnRequest();
			this.server.enqueue(new MockResponse.Builder().code(204).build());
			streams.smd().publish(SmdClass.NETWORK, "{\"trigger\": \"cpdcheck\", \"src\": \"SS-test\"}");
			assertThat(this.server.takeRequest(10, TimeUnit.SECONDS).getTarget()).isEqualTo("/generate_204");
			await().atMost(WAIT).until(() -> this.results.size() == 1);
			assertThat(this.results.get(0)).isEqualTo("{\"type\":\"cpd\",\"result\":\"OK\"}");
			assertThat(detector.result()).isEqualTo(Connectivity.INTERNET_OK);

			this.server.enqueue(new MockResponse.Builder().code(200).build());
			streams.smd().publish(SmdClass.NETWORK, "{\"type\":\"ipacq\"}");
			assertThat(this.server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
			await().atMost(WAIT).until(() -> this.results.size() == 2);
			assertThat(detector.result()).isEqualTo(Connectivity.NO_INTERNET);
			// Subscribed twice, it still detects once per request.
			assertThat(this.server.getRequestCount()).isEqualTo(2);
		}
	}

	@Test
	void aRequestArrivingDuringADetectionIsAnsweredByACheckMadeAfterIt() throws Exception {
		// The first check was sent before the network came up and fails; the address acquired
		// meanwhile must be checked again, not answered with that stale failure.
		CountDownLatch firstArrived = new CountDownLatch(1);
		CountDownLatch releaseFirst = new CountDownLatch(1);
		AtomicInteger checks = new AtomicInteger();
		this.server.setDispatcher(new Dispatcher() {
			@Override
			public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
				if (checks.incrementAndGet() == 1) {
					firstArrived.countDown();
					releaseFirst.await(10, TimeUnit.SECONDS);
					return new MockResponse.Builder().code(503).build();
				}
				return new MockResponse.Builder().code(204).build();
			}
		});
		SecureStreams streams = start();
		try (CaptivePortalDetector detector = new CaptivePortalDetector(streams)) {
			detector.detectOnRequest();
			detector.detectAsync();
			assertThat(firstArrived.await(10, TimeUnit.SECONDS)).isTrue();
			streams.smd().publish(SmdClass.NETWORK, "{\"type\":\"ipacq\"}");
			releaseFirst.countDown();
			await().atMost(WAIT).until(() -> this.results.contains("{\"type\":\"cpd\",\"result\":\"OK\"}"));
			assertThat(detector.result()).isEqualTo(Connectivity.INTERNET_OK);
			assertThat(checks).hasValue(2);
			// The stale failure is not announced: a participant waiting for the answer to its
			// request would take it for one.
			assertThat(this.results).containsExactly("{\"type\":\"cpd\",\"result\":\"OK\"}");
		}
	}

	@Test
	void otherMessagesAndAClosedDetectorStartNothing() throws Exception {
		SecureStreams streams = start();
		CaptivePortalDetector detector = new CaptivePortalDetector(streams);
		detector.detectOnRequest();
		streams.smd().publish(SmdClass.SYSTEM_STATE, "{\"trigger\":\"cpdcheck\"}");
		streams.smd().publish(SmdClass.NETWORK, "{\"trigger\":\"other\",\"type\":\"cpd\"}");
		streams.smd().publish(SmdClass.NETWORK, "[\"cpdcheck\"]");
		streams.smd().publish(SmdClass.NETWORK, "trigger cpdcheck");
		streams.smd().publish(SmdClass.NETWORK, "{\"trigger\":{\"cpdcheck\":true}}");
		detector.close();
		streams.smd().publish(SmdClass.NETWORK, "{\"trigger\":\"cpdcheck\"}");
		// A marker request through a second detector shows the bus delivered everything before it.
		try (CaptivePortalDetector marker = new CaptivePortalDetector(streams)) {
			marker.detectOnRequest();
			this.server.enqueue(new MockResponse.Builder().code(204).build());
			streams.smd().publish(SmdClass.NETWORK, "{\"type\":\"ipacq\"}");
			await().atMost(WAIT).until(() -> this.results.size() == 1);
		}
		assertThat(this.server.getRequestCount()).isOne();
	}

	@Test
	void onlyNetworkJsonObjectsNamingTheRequestCount() {
		assertThat(DetectionRequest.isRequest(message(SmdClass.NETWORK, "{\"type\":\"ipacq\"}"))).isTrue();
		assertThat(DetectionRequest.isRequest(message(SmdClass.NETWORK, "{\"trigger\":\"cpdcheck\",\"x\":1}")))
			.isTrue();
		assertThat(DetectionRequest.isRequest(message(SmdClass.INTERACTION, "{\"type\":\"ipacq\"}"))).isFalse();
		assertThat(DetectionRequest.isRequest(message(SmdClass.NETWORK, "{\"type\":\"cpd\",\"result\":\"OK\"}")))
			.isFalse();
		assertThat(DetectionRequest.isRequest(message(SmdClass.NETWORK, "{\"type\":"))).isFalse();
		assertThat(DetectionRequest.isRequest(message(SmdClass.NETWORK, "\"ipacq\""))).isFalse();
		assertThat(DetectionRequest.isRequest(message(SmdClass.NETWORK, "{\"type\":[\"ipacq\"]}"))).isFalse();
	}

	private static SmdMessage message(long smdClass, String text) {
		return new SmdMessage(smdClass, 0, text.getBytes(StandardCharsets.UTF_8));
	}

}
