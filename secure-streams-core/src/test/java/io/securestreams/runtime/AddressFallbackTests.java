package io.securestreams.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.runtime.ConnectionPerfTests.PerfRecorder;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.JettyWsServer;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.transport.HostNameLookup;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A name with several addresses: each is tried in turn until a socket connects, as libwebsockets
 * works down its sorted DNS results, and the context's {@link HostNameLookup} decides the
 * addresses. The refusing address is {@code ::1} at a port only bound on {@code 127.0.0.1}.
 */
class AddressFallbackTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final List<String> lookedUp = new CopyOnWriteArrayList<>();

	@ParameterizedTest
	@EnumSource(Mode.class)
	void addressThatRefusesIsFollowedByTheNext(Mode mode) throws Exception {
		MockWebServer server = this.resources.mockWebServer();
		server.enqueue(new MockResponse.Builder().code(200).addHeader("Connection", "close").body("second").build());
		PerfRecorder handler = run(mode, lookup("::1", "127.0.0.1"),
				(b) -> TestPolicies.h1(b, "dual.test", server.getPort(), "GET", "/fallback")
					.set(StreamTypeKey.PERF, true));
		handler.awaitState(StreamState.DISCONNECTED);
		assertThat(handler.payload).containsExactly("second", "");
		assertThat(handler.events).containsOnlyOnce("CONNECTING").doesNotContain("UNREACHABLE");
		JsonNode perf = handler.onlyPerf();
		assertThat(perf.get("peer").asString()).isEqualTo("127.0.0.1");
		assertThat(perf.get("dns_disp").asInt()).isEqualTo(1);
		assertThat(perf.get("dns").valueStream().map(JsonNode::asString)).containsExactly("::1", "127.0.0.1");
		assertThat(server.takeRequest().getTarget()).isEqualTo("/fallback");
		assertThat(this.lookedUp).containsExactly("dual.test");
	}

	@Test
	void everyAddressRefusingIsOneUnreachableAttempt() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			closedPort = socket.getLocalPort();
		}
		PerfRecorder handler = run(Mode.DIRECT, lookup("::1", "127.0.0.1"),
				(b) -> TestPolicies.h1(b, "dual.test", closedPort, "GET", "/")
					.set(StreamTypeKey.RETRY, null)
					.set(StreamTypeKey.PERF, true));
		handler.awaitState(StreamState.ALL_RETRIES_FAILED);
		assertThat(handler.events).containsExactly("CREATING", "POLL", "CONNECTING", "PERF", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
		// The report names the last address tried: the second one.
		assertThat(handler.onlyPerf().get("peer").asString()).isEqualTo("127.0.0.1");
	}

	@Test
	void rawStreamFallsBackToTheNextAddress() throws Exception {
		ServerSocket greeter = this.resources.closing(new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1")));
		Thread acceptor = new Thread(() -> {
			try (Socket socket = greeter.accept()) {
				socket.getOutputStream().write("hello raw".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
				socket.getOutputStream().flush();
				// Held open until the test closes the server side.
				socket.getInputStream().read();
			}
			catch (IOException ex) {
				// the test ended
			}
		}, "raw-greeter");
		acceptor.setDaemon(true);
		acceptor.start();
		PerfRecorder handler = run(Mode.DIRECT, lookup("::1", "127.0.0.1"),
				(b) -> b.set(StreamTypeKey.PROTOCOL, Protocol.RAW)
					.set(StreamTypeKey.ENDPOINT, "dual.test")
					.set(StreamTypeKey.PORT, greeter.getLocalPort())
					.set(StreamTypeKey.OPPORTUNISTIC, true)
					.set(StreamTypeKey.RETRY, null));
		handler.awaitState(StreamState.CONNECTED);
		Awaitility.await().atMost(WAIT).until(() -> String.join("", handler.payload).equals("hello raw"));
		assertThat(handler.events).doesNotContain("UNREACHABLE");
	}

	@Test
	void wsStreamFallsBackToTheNextAddress() throws Exception {
		try (JettyWsServer jetty = new JettyWsServer(null, false)) {
			PerfRecorder handler = run(Mode.DIRECT, lookup("::1", "127.0.0.1"),
					(b) -> TestPolicies.ws(b, jetty.port(), "/echo")
						.set(StreamTypeKey.ENDPOINT, "dual.test")
						.set(StreamTypeKey.OPPORTUNISTIC, true)
						.set(StreamTypeKey.RETRY, null));
			handler.awaitState(StreamState.CONNECTED);
			assertThat(handler.events).containsOnlyOnce("CONNECTING").doesNotContain("UNREACHABLE");
		}
	}

	@Test
	void lookupThatThrowsAnErrorIsUnreachableAtOnce() {
		PerfRecorder handler = new PerfRecorder();
		// A connect timeout longer than the wait: the failure must come from the lookup itself.
		this.resources
			.start(Mode.DIRECT,
					TestPolicies.with("perf", (b) -> TestPolicies.h1(b, "error.test", 80, "GET", "/")
						.set(StreamTypeKey.RETRY, null)),
					(b) -> b.eventLoopThreads(2).connectTimeout(Duration.ofMinutes(1)).hostNameLookup((host) -> {
						throw new AssertionError("lookup bug");
					}))
			.streams()
			.create("perf", handler)
			.requestTx();
		handler.awaitState(StreamState.ALL_RETRIES_FAILED);
		assertThat(handler.events).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
	}

	@Test
	void lookupAnsweringANullAddressIsUnreachable() {
		PerfRecorder handler = run(Mode.DIRECT, (host) -> new InetAddress[] { null },
				(b) -> TestPolicies.h1(b, "null.test", 80, "GET", "/").set(StreamTypeKey.RETRY, null));
		handler.awaitState(StreamState.ALL_RETRIES_FAILED);
		assertThat(handler.events).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
	}

	@Test
	void lookupThatBlocksBeyondTheConnectTimeoutFailsTheAttempt() {
		CountDownLatch release = new CountDownLatch(1);
		try {
			PerfRecorder handler = new PerfRecorder();
			SecureStreams streams = this.resources
				.start(Mode.DIRECT,
						TestPolicies.with("perf", (b) -> TestPolicies.h1(b, "slow.test", 80, "GET", "/")
							.set(StreamTypeKey.RETRY, null)),
						(b) -> b.eventLoopThreads(2).connectTimeout(Duration.ofMillis(300)).hostNameLookup((host) -> {
							try {
								release.await();
							}
							catch (InterruptedException ex) {
								Thread.currentThread().interrupt();
							}
							throw new UnknownHostException(host);
						}))
				.streams();
			streams.create("perf", handler).requestTx();
			handler.awaitState(StreamState.ALL_RETRIES_FAILED);
			assertThat(handler.events).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void closeDoesNotWaitForALookupThatHangsAndItsLateAnswerIsDropped() throws Exception {
		CountDownLatch asked = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch answered = new CountDownLatch(1);
		PerfRecorder handler = new PerfRecorder();
		try (CapturedLogs netty = new CapturedLogs("io.netty")) {
			SecureStreams streams = this.resources
				.start(Mode.DIRECT, TestPolicies.with("perf", (b) -> TestPolicies.h1(b, "hung.test", 80, "GET", "/")),
						(b) -> b.eventLoopThreads(1).shutdownTimeout(Duration.ofMinutes(1)).hostNameLookup((host) -> {
							asked.countDown();
							try {
								release.await();
							}
							catch (InterruptedException ex) {
								Thread.currentThread().interrupt();
							}
							finally {
								answered.countDown();
							}
							return new InetAddress[] { InetAddress.getByName("127.0.0.1") };
						}))
				.streams();
			streams.create("perf", handler).requestTx();
			assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
			try {
				// The stream is destroyed at once; the lookup thread it no longer needs holds nothing up.
				assertThat(CompletableFuture.runAsync(streams::close)).succeedsWithin(WAIT);
				assertThat(handler.events).containsExactly("CREATING", "POLL", "CONNECTING", "DESTROYING");
			}
			finally {
				release.countDown();
			}
			assertThat(answered.await(10, TimeUnit.SECONDS)).isTrue();
			// An answer delivered to the stopped loop would be refused with an error line.
			Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
				.until(() -> netty.messages().isEmpty());
		}
	}

	@Test
	void failureAfterTheSocketConnectedDoesNotTryTheNextAddress() throws Exception {
		// Accepts and hangs up at once: the TLS handshake fails on a connected socket.
		AtomicInteger accepted = new AtomicInteger();
		ServerSocket hangUp = this.resources.closing(new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1")));
		Thread acceptor = new Thread(() -> {
			while (!hangUp.isClosed()) {
				try (Socket socket = hangUp.accept()) {
					accepted.incrementAndGet();
				}
				catch (IOException ex) {
					return;
				}
			}
		}, "hang-up");
		acceptor.setDaemon(true);
		acceptor.start();
		PerfRecorder handler = run(Mode.DIRECT, lookup("127.0.0.1", "127.0.0.1"),
				(b) -> TestPolicies.h1(b, "twice.test", hangUp.getLocalPort(), "GET", "/")
					.set(StreamTypeKey.TLS, true)
					.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
					.set(StreamTypeKey.RETRY, null));
		handler.awaitState(StreamState.ALL_RETRIES_FAILED);
		assertThat(handler.events).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
		assertThat(accepted).hasValue(1);
	}

	@Test
	void lookupWithoutAnswerIsUnreachableWithNoResult() {
		PerfRecorder handler = run(Mode.DIRECT, (host) -> new InetAddress[0],
				(b) -> TestPolicies.h1(b, "empty.test", 80, "GET", "/")
					.set(StreamTypeKey.RETRY, null)
					.set(StreamTypeKey.PERF, true));
		handler.awaitState(StreamState.ALL_RETRIES_FAILED);
		assertThat(handler.events).containsExactly("CREATING", "POLL", "CONNECTING", "PERF", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
		assertThat(handler.onlyPerf().get("dns_disp").asInt()).isEqualTo(3);
	}

	@Test
	void lookupThatThrowsIsUnreachableAndTheStreamRetries() {
		HostNameLookup failing = (host) -> {
			this.lookedUp.add(host);
			throw new IllegalStateException("name service down");
		};
		PerfRecorder handler = run(Mode.DIRECT, failing,
				(b) -> TestPolicies.h1(b, "broken.test", 80, "GET", "/").set(StreamTypeKey.RETRY, "once"));
		handler.awaitState(StreamState.ALL_RETRIES_FAILED);
		assertThat(handler.events).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE", "POLL",
				"CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
		// Failures are not remembered: the retry asks again.
		assertThat(this.lookedUp).containsExactly("broken.test", "broken.test");
	}

	private HostNameLookup lookup(String... addresses) {
		return (host) -> {
			this.lookedUp.add(host);
			InetAddress[] answer = new InetAddress[addresses.length];
			for (int i = 0; i < addresses.length; i++) {
				answer[i] = InetAddress.getByAddress(host, InetAddress.getByName(addresses[i]).getAddress());
			}
			return answer;
		};
	}

	private PerfRecorder run(Mode mode, HostNameLookup lookup, Consumer<StreamTypePolicy.Builder> keys) {
		PerfRecorder handler = new PerfRecorder();
		SecureStreams streams = this.resources
			.start(mode, TestPolicies.with("perf", keys), (b) -> b.eventLoopThreads(2).hostNameLookup(lookup))
			.streams();
		streams.create("perf", handler).requestTx();
		return handler;
	}

}
