package io.securestreams.runtime;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TransitionGuard;
import io.netty.pkitesting.X509Bundle;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The failure-path conformance table of libwebsockets' {@code minimal-secure-streams-testsfail}
 * (reference §12.2), for h1 and h1 over TLS, each asserting the exact state sequence.
 */
class FailurePathTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private final TransitionGuard guard = new TransitionGuard();

	private MockWebServer server;

	private SecureStreams streams;

	@AfterEach
	void stop() {
		if (this.streams != null) {
			this.streams.close();
		}
		if (this.server != null) {
			this.server.close();
		}
		this.guard.assertNoViolations();
	}

	private int startServer(boolean tls, X509Bundle certificate) throws Exception {
		this.server = new MockWebServer();
		this.server.setDispatcher(new HttpbinDispatcher());
		if (tls) {
			this.server.useHttps(TestPki.serverContext(certificate).getSocketFactory());
		}
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		return this.server.getPort();
	}

	private SecureStream open(boolean tls, String host, int port, String url, RecordingHandler handler,
			java.util.function.Consumer<StreamTypePolicy.Builder> extra) {
		PolicyFragment fragment = TestPolicies.base();
		StreamTypePolicy.Builder type = TestPolicies.h1(fragment.streamType("t"), host, port, "GET", url)
			.set(StreamTypeKey.TLS, tls)
			.set(StreamTypeKey.TIMEOUT_MS, 15_000L);
		if (tls) {
			type.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca");
		}
		// Like the C test, each stream's timeout is its test budget.
		extra.accept(type);
		Policy policy = fragment.build();
		this.streams = SecureStreams.builder(policy).eventLoopThreads(1).listener(this.guard).build();
		SecureStream stream = this.streams.create("t", handler);
		stream.startTimeout(0);
		return stream;
	}

	@ParameterizedTest(name = "tls={0}")
	@ValueSource(booleans = { false, true })
	void test1And2JustGet200(boolean tls) throws Exception {
		int port = startServer(tls, TestPki.server());
		RecordingHandler handler = new RecordingHandler();
		open(tls, "localhost", port, "/status/200", handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE");
	}

	@ParameterizedTest(name = "tls={0}")
	@ValueSource(booleans = { false, true })
	void test4And5TimeoutAfterConnection(boolean tls) throws Exception {
		int port = startServer(tls, TestPki.server());
		RecordingHandler handler = new RecordingHandler()
			.onState((s, state) -> (state == StreamState.TIMEOUT) ? StreamResult.DESTROY_ME : StreamResult.OK);
		// The test budget (the stream timeout) is shorter than the server's delay.
		open(tls, "localhost", port, "/delay/5", handler, (b) -> b.set(StreamTypeKey.TIMEOUT_MS, 1000L)).requestTx();
		handler.await(StreamState.DESTROYING, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "TIMEOUT", "DESTROYING");
	}

	@ParameterizedTest(name = "tls={0}")
	@ValueSource(booleans = { false, true })
	void test7And8NxdomainIsUnreachable(boolean tls) {
		RecordingHandler handler = new RecordingHandler()
			.onState((s, state) -> (state == StreamState.UNREACHABLE) ? StreamResult.DESTROY_ME : StreamResult.OK);
		open(tls, "bogus.invalid", 443, "/", handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.DESTROYING, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"DESTROYING");
	}

	@ParameterizedTest(name = "tls={0}")
	@ValueSource(booleans = { false, true })
	void test10And11NxdomainExhaustsRetries(boolean tls) {
		RecordingHandler handler = new RecordingHandler();
		open(tls, "bogus.invalid", 443, "/", handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		// retry "fast" conceals 3 failures: 4 attempts, then ALL_RETRIES_FAILED.
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE", "POLL",
				"CONNECTING", "UNREACHABLE", "POLL", "CONNECTING", "UNREACHABLE", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
	}

	@ParameterizedTest(name = "tls={0}")
	@ValueSource(booleans = { false, true })
	void test13And14ReadBulkThroughMetadataInTheUrl(boolean tls) throws Exception {
		int port = startServer(tls, TestPki.server());
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = open(tls, "localhost", port, "/bytes/${amount}", handler,
				(b) -> b.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("amount", ""))));
		stream.setMetadata("amount", "12345");
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.received()).hasSize(12345);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE");
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "wrong-host", "expired", "self-signed" })
	void test16To18BadCertificatesExhaustRetriesWithoutSendingARequest(String kind) throws Exception {
		X509Bundle certificate = switch (kind) {
			case "wrong-host" -> TestPki.wrongHost();
			case "expired" -> TestPki.expired();
			default -> TestPki.selfSigned();
		};
		int port = startServer(true, certificate);
		RecordingHandler handler = new RecordingHandler();
		open(true, "localhost", port, "/status/200", handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE", "POLL",
				"CONNECTING", "UNREACHABLE", "POLL", "CONNECTING", "UNREACHABLE", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
		assertThat(this.server.getRequestCount()).as("requests that reached the server").isZero();
	}

}
