package io.securestreams.connectivity;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.securestreams.SecureStreams;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.http.HttpTransaction;
import io.securestreams.smd.SmdClass;
import io.securestreams.smd.SmdMessage;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Captive portal detection against connectivity checks that misbehave: redirect loops, bodies
 * that are huge, endless or trickled past the timeout, the wrong success status, and callers that
 * detect all at once or after the context closed. Every detection ends, in one of the documented
 * outcomes, announced once on the system message bus (UNKNOWN is never announced).
 */
class CaptivePortalHostileServerTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private final List<SmdMessage> announced = new CopyOnWriteArrayList<>();

	private SecureStreams streams;

	private CaptivePortalDetector detector(int port, Duration timeout, Consumer<StreamTypePolicy.Builder> keys) {
		this.streams = this.resources
			.start(SecureStreams.builder(CaptivePortalDetectorTests.policy(port, keys)).eventLoopThreads(1));
		this.streams.smd().subscribe(SmdClass.NETWORK, Runnable::run, this.announced::add);
		return new CaptivePortalDetector(this.streams, CaptivePortalDetector.DEFAULT_STREAM_TYPE, timeout);
	}

	private CaptivePortalDetector detector(Consumer<StreamTypePolicy.Builder> keys) {
		return detector(this.server.getPort(), Duration.ofSeconds(10), keys);
	}

	private CaptivePortalDetector peerDetector(ScriptedPeer.Script script, Consumer<StreamTypePolicy.Builder> keys)
			throws Exception {
		ScriptedPeer peer = this.resources.closing(new ScriptedPeer(script));
		return detector(peer.port(), Duration.ofSeconds(1), keys);
	}

	private void assertDetected(CaptivePortalDetector detector, Connectivity expected) {
		assertThat(detector.detect()).isEqualTo(expected);
		assertThat(detector.result()).isEqualTo(expected);
		assertThat(this.streams.streams()).isEmpty();
		String label = switch (expected) {
			case INTERNET_OK -> "OK";
			case CAPTIVE_PORTAL -> "Captive";
			case NO_INTERNET -> "No internet";
			case UNKNOWN -> null;
		};
		if (label == null) {
			assertThat(this.announced).isEmpty();
		}
		else {
			assertThat(this.announced).extracting(SmdMessage::text)
				.containsExactly("{\"type\":\"cpd\",\"result\":\"" + label + "\"}");
		}
	}

	private void redirectForever(String location) {
		this.server.setDispatcher(new Dispatcher() {
			@Override
			public MockResponse dispatch(RecordedRequest request) {
				return new MockResponse.Builder().code(302).setHeader("Location", location).build();
			}
		});
	}

	@Test
	void redirectLoopOnAFailRedirectStreamtypeIsACaptivePortalAtTheFirstHop() {
		redirectForever("/generate_204");
		CaptivePortalDetector detector = detector((b) -> {
		});
		assertDetected(detector, Connectivity.CAPTIVE_PORTAL);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void redirectLoopThatIsFollowedEndsAsNoInternet() {
		redirectForever("/generate_204");
		CaptivePortalDetector detector = detector(
				(b) -> b.set(StreamTypeKey.HTTP_FAIL_REDIRECT, false).set(StreamTypeKey.ALLOW_REDIRECTS, true));
		assertDetected(detector, Connectivity.NO_INTERNET);
		assertThat(this.server.getRequestCount()).isBetween(1, HttpTransaction.MAX_REDIRECTS + 1);
	}

	@Test
	void hugeBodyWithTheExpectedStatusIsReadAndMeansInternetOk() {
		this.server.enqueue(new MockResponse.Builder().code(200)
			.body(new Buffer().write(new byte[16 * 1024 * 1024]))
			.build());
		CaptivePortalDetector detector = detector((b) -> b.set(StreamTypeKey.HTTP_EXPECT, 200));
		assertDetected(detector, Connectivity.INTERNET_OK);
	}

	@Test
	void hugeBodyWithAnotherStatusMeansNoInternet() {
		this.server.enqueue(new MockResponse.Builder().code(200)
			.body(new Buffer().write(new byte[16 * 1024 * 1024]))
			.build());
		assertDetected(detector((b) -> {
		}), Connectivity.NO_INTERNET);
	}

	@Test
	void endlessBodyEndsAtTheTimeoutAsNoInternet() throws Exception {
		CaptivePortalDetector detector = peerDetector((head, in, out) -> {
			out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			byte[] chunk = ("1000\r\n" + "x".repeat(0x1000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
			while (true) {
				out.write(chunk);
			}
		}, (b) -> b.set(StreamTypeKey.HTTP_EXPECT, 200));
		assertDetected(detector, Connectivity.NO_INTERNET);
	}

	@Test
	void expectedStatusWithABodyTrickledPastTheTimeoutMeansNoInternet() throws Exception {
		CaptivePortalDetector detector = peerDetector((head, in, out) -> {
			out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			for (int i = 0; i < 1000; i++) {
				out.write('x');
				out.flush();
				Thread.sleep(100);
			}
		}, (b) -> b.set(StreamTypeKey.HTTP_EXPECT, 200));
		assertDetected(detector, Connectivity.NO_INTERNET);
	}

	@Test
	void expectedStatusHeadTrickledPastTheTimeoutMeansNoInternet() throws Exception {
		CaptivePortalDetector detector = peerDetector((head, in, out) -> {
			for (byte b : "HTTP/1.1 204 No Content\r\nX-Padding: ".getBytes(StandardCharsets.US_ASCII)) {
				out.write(b);
				out.flush();
				Thread.sleep(100);
			}
			for (int i = 0; i < 1000; i++) {
				out.write('x');
				out.flush();
				Thread.sleep(100);
			}
		}, (b) -> {
		});
		assertDetected(detector, Connectivity.NO_INTERNET);
	}

	@Test
	void noContentWhenThePolicyExpectsOkMeansNoInternet() {
		this.server.enqueue(new MockResponse.Builder().code(204).build());
		assertDetected(detector((b) -> b.set(StreamTypeKey.HTTP_EXPECT, 200)), Connectivity.NO_INTERNET);
	}

	@Test
	void concurrentDetectionsShareOneCheckAndOneAnnouncement() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(204).headersDelay(500, TimeUnit.MILLISECONDS).build());
		CaptivePortalDetector detector = detector((b) -> {
		});
		CountDownLatch go = new CountDownLatch(1);
		List<CompletableFuture<Connectivity>> results = new ArrayList<>();
		for (int i = 0; i < 16; i++) {
			results.add(CompletableFuture.supplyAsync(() -> {
				try {
					go.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				return detector.detect();
			}));
		}
		go.countDown();
		for (CompletableFuture<Connectivity> result : results) {
			assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(Connectivity.INTERNET_OK);
		}
		assertThat(this.server.getRequestCount()).isEqualTo(1);
		assertThat(this.announced).extracting(SmdMessage::text).containsExactly("{\"type\":\"cpd\",\"result\":\"OK\"}");
	}

	@Test
	void detectionAfterTheContextClosedIsUnknownAndAnnouncesNothing() {
		CaptivePortalDetector detector = detector((b) -> {
		});
		this.streams.close();
		assertThat(detector.detect()).isEqualTo(Connectivity.UNKNOWN);
		assertThat(detector.result()).isEqualTo(Connectivity.UNKNOWN);
		assertThat(this.server.getRequestCount()).isZero();
		assertThat(this.announced).isEmpty();
	}

	@Test
	void detectionUnderWayWhenTheContextClosesEndsUnknown() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(204).headersDelay(10, TimeUnit.SECONDS).build());
		CaptivePortalDetector detector = detector((b) -> {
		});
		CompletableFuture<Connectivity> underWay = detector.detectAsync();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.server.getRequestCount() == 1);
		this.streams.close();
		assertThat(underWay.get(10, TimeUnit.SECONDS)).isEqualTo(Connectivity.UNKNOWN);
		assertThat(this.announced).isEmpty();
	}


	@Test
	void listenerThatDetectsAgainOnAnAnnouncementDoesNotHang() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(500).build());
		this.server.enqueue(new MockResponse.Builder().code(204).build());
		CaptivePortalDetector detector = detector((b) -> {
		});
		List<Connectivity> again = new CopyOnWriteArrayList<>();
		this.streams.smd().subscribe(SmdClass.NETWORK, Runnable::run, (message) -> {
			if (message.text().contains("No internet")) {
				again.add(detector.detect());
			}
		});
		assertThat(detector.detectAsync().get(10, TimeUnit.SECONDS)).isEqualTo(Connectivity.NO_INTERNET);
		await().atMost(Duration.ofSeconds(10)).until(() -> again.size() == 1);
		assertThat(again).containsExactly(Connectivity.INTERNET_OK);
		assertThat(this.server.getRequestCount()).isEqualTo(2);
		assertThat(detector.result()).isEqualTo(Connectivity.INTERNET_OK);
	}

}
