package io.securestreams.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.runtime.ConnectionPerfTests.PerfRecorder;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.transport.HostNameLookup;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
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
				(b) -> TestPolicies.h1(b, "dual.test", closedPort, "GET", "/").set(StreamTypeKey.RETRY, null));
		handler.awaitState(StreamState.ALL_RETRIES_FAILED);
		assertThat(handler.events).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
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
