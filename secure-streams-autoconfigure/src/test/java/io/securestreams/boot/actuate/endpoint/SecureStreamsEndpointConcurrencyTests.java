package io.securestreams.boot.actuate.endpoint;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StateTransitions;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.boot.actuate.endpoint.ActuatorHttp.Response;
import io.securestreams.smd.SmdClass;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.TransitionGuard;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.securestreams.boot.actuate.endpoint.ActuatorHttp.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The actuator endpoints over real http while many clients write, reset and fetch at once and
 * streams come and go: never a server error, versions only increase, the final policy is the
 * outcome of the last change, and every stream sees a legal state sequence.
 */
class SecureStreamsEndpointConcurrencyTests {

	private static final String POLICY = "/actuator/securestreamspolicy";

	private static final String FETCHED = "{\"release\": \"fetched\", \"s\": [{\"bytes\": {\"endpoint\": "
			+ "\"127.0.0.1\", "
			+ "\"port\": 9, \"protocol\": \"h1\", \"http_method\": \"GET\", \"http_url\": \"/fetched\"}}]}";

	private static final GatedDispatcher dispatcher = new GatedDispatcher();

	private static final MockWebServer peer = new MockWebServer();

	@BeforeAll
	static void startPeer() throws IOException {
		peer.setDispatcher(dispatcher);
		peer.start(InetAddress.getByName("127.0.0.1"), 0);
	}

	@AfterAll
	static void stopPeer() {
		dispatcher.release();
		peer.close();
	}

	@DynamicPropertySource
	static void policy(DynamicPropertyRegistry registry) {
		SecureStreamsEndpointWebIntegrationTests.peerPolicy(registry, peer);
	}

	static List<Response> inParallel(int threads, int requests, RequestMaker maker) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<List<Response>>> futures = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int thread = t;
				futures.add(pool.submit(() -> {
					start.await();
					List<Response> responses = new ArrayList<>();
					for (int i = 0; i < requests; i++) {
						responses.add(maker.make(thread, i));
					}
					return responses;
				}));
			}
			start.countDown();
			List<Response> all = new ArrayList<>();
			for (Future<List<Response>> future : futures) {
				all.addAll(future.get(60, TimeUnit.SECONDS));
			}
			return all;
		}
		finally {
			pool.shutdownNow();
		}
	}

	interface RequestMaker {

		Response make(int thread, int request);

	}

	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { "server.address=127.0.0.1",
					"management.endpoints.web.exposure.include=securestreams,securestreamspolicy",
					"management.endpoint.securestreamspolicy.access=unrestricted" })
	class ConcurrentWrites {

		@LocalServerPort
		int port;

		@Autowired
		SecureStreams streams;

		@Test
		void overlaysAndResetsFromManyThreadsEndInOneOfTheSerialOutcomes() throws Exception {
			TransitionGuard guard = new TransitionGuard();
			this.streams.addListener(guard);
			List<RecordingHandler> handlers = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				RecordingHandler handler = new RecordingHandler();
				handlers.add(handler);
				this.streams.create("bytes", handler).requestTx();
			}
			ActuatorHttp http = new ActuatorHttp(this.port);
			long first = http.get(POLICY).json().path("version").asLong();
			int threads = 8;
			int requests = 50;
			List<Response> responses = inParallel(threads, requests, (thread, i) -> (i % 5 == 4) ? http.delete(POLICY)
					: http.post(POLICY, JSON, ActuatorHttp.overlayBody(
							"{\"s\": [{\"bytes\": {\"http_url\": \"/bytes/" + (thread * 100 + i) + "\"}}]}")));
			assertThat(responses).allSatisfy((response) -> assertThat(response.status()).as("%s", response)
				.isEqualTo(200));
			// Every change made exactly one version, and each thread saw its own versions grow.
			List<Long> versions = responses.stream()
				.map((response) -> response.json().path("version").asLong())
				.toList();
			assertThat(versions).doesNotHaveDuplicates()
				.allSatisfy((version) -> assertThat(version).isBetween(first + 1, first + threads * requests));
			for (int t = 0; t < threads; t++) {
				assertThat(versions.subList(t * requests, (t + 1) * requests)).isSorted();
			}
			JsonNode last = responses.get(versions.indexOf(first + threads * requests)).json();
			JsonNode now = http.get(POLICY).json();
			assertThat(now.path("version").asLong()).isEqualTo(first + threads * requests);
			assertThat(now.path("hash")).isEqualTo(last.path("hash"));
			assertThat(now.path("policy")).isEqualTo(last.path("policy"));
			assertThat(now.path("overlays")).isEqualTo(last.path("overlays"));
			// The streams are still there and never took an illegal step.
			assertThat(http.get("/actuator/securestreams/bytes").json().path("summary").path("streams").asInt())
				.isEqualTo(4);
			guard.assertNoViolations();
			for (RecordingHandler handler : handlers) {
				assertThat(handler.illegalSteps()).isEmpty();
				assertThat(handler.states).doesNotContain(StreamState.DESTROYING);
			}
		}

	}

	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { "server.address=127.0.0.1", "management.endpoints.web.exposure.include=securestreamspolicy",
					"management.endpoint.securestreamspolicy.access=unrestricted" })
	class Fetches {

		@LocalServerPort
		int port;

		@Test
		void aFetchWhileAnotherIsInFlightSharesItsOutcomeAndAFetchWithoutTheStreamtypeSaysSo() throws Exception {
			ActuatorHttp http = new ActuatorHttp(this.port);
			long first = http.get(POLICY).json().path("version").asLong();
			dispatcher.hold();
			ExecutorService pool = Executors.newFixedThreadPool(3);
			try {
				List<Future<Response>> fetches = new ArrayList<>();
				for (int i = 0; i < 3; i++) {
					fetches.add(pool.submit(() -> http.post(POLICY + "/fetch", null, null)));
				}
				Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.policyRequests() == 1);
				// While the fetch waits for its body, reading and writing the policy carry on.
				assertThat(http.get(POLICY).status()).isEqualTo(200);
				dispatcher.release();
				for (Future<Response> fetch : fetches) {
					Response response = fetch.get(20, TimeUnit.SECONDS);
					assertThat(response.status()).as("%s", response).isEqualTo(200);
					assertThat(response.json().path("outcome").asString()).as("%s", response).isEqualTo("UPDATED");
				}
			}
			finally {
				pool.shutdownNow();
				dispatcher.release();
			}
			assertThat(dispatcher.policyRequests()).isEqualTo(1);
			JsonNode fetched = http.get(POLICY).json();
			assertThat(fetched.path("version").asLong()).isEqualTo(first + 1);
			assertThat(fetched.path("policy").path("release").asString()).isEqualTo("fetched");
			// The fetched policy has no fetch_policy streamtype: the next fetch cannot be made.
			Response unconfigured = http.post(POLICY + "/fetch", null, null);
			assertThat(unconfigured.status()).as("%s", unconfigured).isEqualTo(200);
			assertThat(unconfigured.json().path("outcome").asString()).isEqualTo("NOT_CONFIGURED");
			assertThat(unconfigured.firstError()).contains("'fetch_policy'");
			assertThat(http.get(POLICY).json()).isEqualTo(fetched);
		}

	}

	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { "server.address=127.0.0.1", "management.endpoints.web.exposure.include=securestreams" })
	class StreamList {

		@LocalServerPort
		int port;

		@Autowired
		SecureStreams streams;

		@Test
		void theStreamListIsReadWhileStreamsComeAndGo() throws Exception {
			ActuatorHttp http = new ActuatorHttp(this.port);
			AtomicBoolean churning = new AtomicBoolean(true);
			AtomicInteger churned = new AtomicInteger();
			List<Throwable> churnErrors = new CopyOnWriteArrayList<>();
			ExecutorService churn = Executors.newFixedThreadPool(4);
			try {
				for (int t = 0; t < 4; t++) {
					int thread = t;
					churn.submit(() -> {
						while (churning.get()) {
							try {
								SecureStream stream = (thread % 2 == 0)
										? this.streams.create("bytes", new RecordingHandler())
										: this.streams.createSmd(SmdClass.ALL, new RecordingHandler());
								stream.destroy();
								// destroy() is asynchronous: waiting keeps the churn at the pace the
								// event loop destroys streams, not an ever-growing backlog.
								stream.whenDestroyed().toCompletableFuture().get(10, TimeUnit.SECONDS);
								churned.incrementAndGet();
							}
							catch (InterruptedException ex) {
								Thread.currentThread().interrupt();
								return;
							}
							catch (ExecutionException | TimeoutException ex) {
								churnErrors.add(ex);
							}
							catch (RuntimeException ex) {
								churnErrors.add(ex);
							}
						}
					});
				}
				String[] paths = { "/actuator/securestreams", "/actuator/securestreams/bytes",
						"/actuator/securestreams/_lws_smd" };
				List<Response> responses = inParallel(4, 100, (thread, i) -> http.get(paths[(thread + i) % 3]));
				assertThat(responses).allSatisfy((response) -> assertThat(response.status()).as("%s", response)
					.isEqualTo(200));
			}
			finally {
				churning.set(false);
				churn.shutdown();
				assertThat(churn.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
			}
			assertThat(churnErrors).isEmpty();
			assertThat(churned.get()).isPositive();
		}

		@Test
		void oddStreamtypeNamesAreNotFoundOrRefusedNeverAServerError() {
			ActuatorHttp http = new ActuatorHttp(this.port);
			String[] names = { "nope", "by%74es", "%C3%A9t%C3%A9", "%E2%98%83", "%F0%9F%98%80", "a%20b", "a%2Fb",
					"%FF%FE", "a%00b", "a%0Ab", "%3Cscript%3E", "a".repeat(2_000), "a".repeat(20_000), "..",
					"%2E%2E", "a.json", "bytes;x=1" };
			Map<String, Integer> statuses = new ConcurrentHashMap<>();
			for (String name : names) {
				Response response = http.get("/actuator/securestreams/" + name);
				statuses.put(name.substring(0, Math.min(name.length(), 20)), response.status());
				assertThat(response.status()).as("GET .../%s: %s", name, response).isIn(200, 400, 404);
				assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
			}
			assertThat(statuses).containsEntry("nope", 404)
				.containsEntry("by%74es", 200)
				.containsEntry("%C3%A9t%C3%A9", 404);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

	}

	/**
	 * Records a stream's states and checks each step against the local transition table.
	 */
	static final class RecordingHandler implements StreamHandler {

		final List<StreamState> states = new CopyOnWriteArrayList<>();

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			this.states.add(state);
			return StreamResult.OK;
		}

		List<String> illegalSteps() {
			List<String> illegal = new ArrayList<>();
			@Nullable StreamState previous = null;
			for (StreamState state : this.states) {
				if (StateTransitions.LOCAL.bypasses(state)) {
					continue;
				}
				if (!StateTransitions.LOCAL.isAllowed(previous, state)) {
					illegal.add(previous + " -> " + state);
				}
				previous = state;
			}
			return illegal;
		}

	}

	/**
	 * httpbin paths, and {@code /policy.json} answered with a valid policy once released.
	 */
	static final class GatedDispatcher extends Dispatcher {

		private final HttpbinDispatcher httpbin = new HttpbinDispatcher();

		private volatile CountDownLatch gate = new CountDownLatch(0);

		private final AtomicInteger policyRequests = new AtomicInteger();

		void hold() {
			this.gate = new CountDownLatch(1);
		}

		void release() {
			this.gate.countDown();
		}

		int policyRequests() {
			return this.policyRequests.get();
		}

		@Override
		public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
			if ("/policy.json".equals(request.getUrl().encodedPath())) {
				this.policyRequests.incrementAndGet();
				this.gate.await(20, TimeUnit.SECONDS);
				return new MockResponse.Builder().code(200)
					.addHeader("Content-Type", "application/json")
					.body(FETCHED)
					.build();
			}
			return this.httpbin.dispatch(request);
		}

	}

}
