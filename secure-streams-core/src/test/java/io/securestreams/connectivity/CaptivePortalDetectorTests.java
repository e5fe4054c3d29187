package io.securestreams.connectivity;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.securestreams.SecureStreams;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.smd.SmdClass;
import io.securestreams.smd.SmdMessage;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Captive portal detection (reference §9.2) against a local MockWebServer playing the
 * connectivity check URL, a portal, or nothing at all.
 */
class CaptivePortalDetectorTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private SecureStreams streams;

	private CaptivePortalDetector detector(int port, Duration timeout, Consumer<StreamTypePolicy.Builder> keys) {
		this.streams = this.resources.start(SecureStreams.builder(policy(port, keys)).eventLoopThreads(1));
		return new CaptivePortalDetector(this.streams, CaptivePortalDetector.DEFAULT_STREAM_TYPE, timeout);
	}

	/**
	 * A policy whose detection streamtype asks {@code /generate_204} on the port, expects 204 and
	 * fails on a redirect, without retries.
	 * @param port the server's port
	 * @param keys more keys of the detection streamtype
	 * @return the policy
	 */
	static Policy policy(int port, Consumer<StreamTypePolicy.Builder> keys) {
		PolicyFragment fragment = TestPolicies.base();
		StreamTypePolicy.Builder cpd = TestPolicies.h1(fragment.streamType("captive_portal_detect"), "127.0.0.1", port,
				"GET", "/generate_204")
			.set(StreamTypeKey.HTTP_EXPECT, 204)
			.set(StreamTypeKey.HTTP_FAIL_REDIRECT, true)
			.set(StreamTypeKey.RETRY, null);
		keys.accept(cpd);
		return fragment.build();
	}

	private CaptivePortalDetector detector() {
		return detector(this.server.getPort(), Duration.ofSeconds(10), (b) -> {
		});
	}

	@Test
	void expectedAnswerMeansInternetOk() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(204).build());
		CaptivePortalDetector detector = detector();
		assertThat(detector.result()).isEqualTo(Connectivity.UNKNOWN);
		assertThat(detector.detect()).isEqualTo(Connectivity.INTERNET_OK);
		assertThat(detector.result()).isEqualTo(Connectivity.INTERNET_OK);
		assertThat(this.server.takeRequest().getTarget()).isEqualTo("/generate_204");
		assertThat(this.streams.streams()).isEmpty();
	}

	@Test
	void redirectOnAFailRedirectStreamtypeMeansCaptivePortal() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "http://portal.example/login")
			.build());
		CaptivePortalDetector detector = detector();
		assertThat(detector.detect()).isEqualTo(Connectivity.CAPTIVE_PORTAL);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
		assertThat(this.streams.streams()).isEmpty();
	}

	@ParameterizedTest
	@ValueSource(ints = { 300, 304, 305 })
	void aThreeHundredAnswerThatIsNotARedirectMeansNoInternet(int status) {
		this.server.enqueue(new MockResponse.Builder().code(status).setHeader("Location", "http://portal.example/")
			.build());
		assertThat(detector().detect()).isEqualTo(Connectivity.NO_INTERNET);
	}

	@Test
	void redirectWithoutFailRedirectIsOnlyARejection() {
		this.server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "/elsewhere").build());
		CaptivePortalDetector detector = detector(this.server.getPort(), Duration.ofSeconds(10),
				(b) -> b.set(StreamTypeKey.HTTP_FAIL_REDIRECT, false));
		assertThat(detector.detect()).isEqualTo(Connectivity.NO_INTERNET);
	}

	@Test
	void portalAnsweringWithItsOwnPageMeansNoInternet() {
		this.server.enqueue(new MockResponse.Builder().code(200).body("<html>log in first</html>").build());
		assertThat(detector().detect()).isEqualTo(Connectivity.NO_INTERNET);
	}

	@Test
	void unreachableCheckMeansNoInternet() throws Exception {
		int closed;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			closed = socket.getLocalPort();
		}
		CaptivePortalDetector detector = detector(closed, Duration.ofSeconds(10), (b) -> {
		});
		assertThat(detector.detect()).isEqualTo(Connectivity.NO_INTERNET);
	}

	@Test
	void silentCheckTimesOutAsNoInternet() {
		this.server.enqueue(new MockResponse.Builder().code(204).headersDelay(10, TimeUnit.SECONDS).build());
		CaptivePortalDetector detector = detector(this.server.getPort(), Duration.ofMillis(300), (b) -> {
		});
		assertThat(detector.detect()).isEqualTo(Connectivity.NO_INTERNET);
		assertThat(this.streams.streams()).isEmpty();
	}

	@Test
	void eachDetectionStartsFromUnknownAndTheLatestResultSticks() {
		this.server.enqueue(new MockResponse.Builder().code(204).build());
		this.server.enqueue(new MockResponse.Builder().code(500).build());
		CaptivePortalDetector detector = detector();
		assertThat(detector.detect()).isEqualTo(Connectivity.INTERNET_OK);
		assertThat(detector.detect()).isEqualTo(Connectivity.NO_INTERNET);
		assertThat(detector.result()).isEqualTo(Connectivity.NO_INTERNET);
	}

	@Test
	void eachResultIsAnnouncedOnTheSystemMessageBusAsLibwebsocketsDoes() {
		this.server.enqueue(new MockResponse.Builder().code(204).build());
		this.server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "http://portal.example/login")
			.build());
		this.server.enqueue(new MockResponse.Builder().code(500).build());
		CaptivePortalDetector detector = detector();
		List<SmdMessage> announced = new CopyOnWriteArrayList<>();
		this.streams.smd().subscribe(SmdClass.NETWORK, Runnable::run, announced::add);
		detector.detect();
		detector.detect();
		detector.detect();
		assertThat(announced).extracting(SmdMessage::text)
			.containsExactly("{\"type\":\"cpd\",\"result\":\"OK\"}", "{\"type\":\"cpd\",\"result\":\"Captive\"}",
					"{\"type\":\"cpd\",\"result\":\"No internet\"}");
	}

	@Test
	void policyWithoutTheStreamtypeLeavesConnectivityUnknown() {
		CaptivePortalDetector detector = detector();
		CaptivePortalDetector other = new CaptivePortalDetector(this.streams, "no_such_type",
				CaptivePortalDetector.DEFAULT_TIMEOUT);
		assertThat(detector.isConfigured()).isTrue();
		assertThat(other.isConfigured()).isFalse();
		assertThat(other.detect()).isEqualTo(Connectivity.UNKNOWN);
		assertThat(this.server.getRequestCount()).isZero();
	}

}
