package io.securestreams.runtime;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import io.netty.pkitesting.X509Bundle;
import io.securestreams.SecureStream;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TransitionGuard;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The failure-path conformance table of libwebsockets' {@code minimal-secure-streams-testsfail}
 * (reference §12.2), for h1, h1 over TLS and h2 over TLS, each asserting the exact state sequence,
 * run both directly and through our Java proxy (like the C suite's {@code sspc-minimaltf}). An h2
 * stream ends its transaction with DISCONNECTED both ways, since its h2 stream ends.
 * <p>
 * Where the proxied sequences differ, the C proxy behaves the same way: a GET started with
 * {@code requestTx} reaches the proxy as ONWARD_CONNECT, which connects without POLL (reference
 * §7.7, {@code bulk_h1} trace); and the proxy closes the onward http connection after each
 * transaction, so DISCONNECTED follows QOS_ACK_REMOTE (§7.7, {@code minpost} trace).
 */
class FailurePathTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final List<String> FOUR_FAILED_ATTEMPTS = List.of("CONNECTING", "UNREACHABLE", "POLL",
			"CONNECTING", "UNREACHABLE", "POLL", "CONNECTING", "UNREACHABLE", "POLL", "CONNECTING", "UNREACHABLE",
			"ALL_RETRIES_FAILED");

	private final TransitionGuard guard = new TransitionGuard();

	private MockWebServer server;

	private StreamsUnderTest streams;

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
		return startServer(tls, certificate, false);
	}

	private int startServer(boolean tls, X509Bundle certificate, boolean h2) throws Exception {
		this.server = new MockWebServer();
		this.server.setDispatcher(new HttpbinDispatcher());
		if (tls) {
			this.server.useHttps(TestPki.serverContext(certificate).getSocketFactory());
		}
		if (h2) {
			this.server.setProtocols(List.of(okhttp3.Protocol.HTTP_2, okhttp3.Protocol.HTTP_1_1));
		}
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		return this.server.getPort();
	}

	private SecureStream open(Mode mode, boolean tls, String host, int port, String url, RecordingHandler handler,
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
		this.streams = StreamsUnderTest.start(mode, fragment.build(), this.guard);
		SecureStream stream = this.streams.streams().create("t", handler);
		stream.startTimeout(0);
		return stream;
	}

	/** The states of a started GET: direct ones POLL first, proxied ones do not (ONWARD_CONNECT). */
	private static List<String> started(Mode mode, String... then) {
		List<String> states = new java.util.ArrayList<>(List.of("CREATING"));
		if (mode == Mode.DIRECT) {
			states.add("POLL");
		}
		states.addAll(List.of(then));
		return states;
	}

	/** Waits for the end of a successful transaction: proxied ones end with DISCONNECTED. */
	private static void awaitTransaction(Mode mode, RecordingHandler handler, StreamState result) {
		handler.await(result, WAIT);
		if (mode == Mode.PROXIED) {
			handler.await(StreamState.DISCONNECTED, WAIT);
		}
	}

	private static String[] withClose(Mode mode, String... states) {
		List<String> all = new java.util.ArrayList<>(List.of(states));
		if (mode == Mode.PROXIED) {
			all.add("DISCONNECTED");
		}
		return all.toArray(String[]::new);
	}

	@ParameterizedTest(name = "{0} tls={1}")
	@CsvSource({ "DIRECT,false", "DIRECT,true", "PROXIED,false", "PROXIED,true" })
	void test1And2JustGet200(Mode mode, boolean tls) throws Exception {
		int port = startServer(tls, TestPki.server());
		RecordingHandler handler = new RecordingHandler();
		open(mode, tls, "localhost", port, "/status/200", handler, (b) -> {
		}).requestTx();
		awaitTransaction(mode, handler, StreamState.QOS_ACK_REMOTE);
		assertThat(handler.stateNames())
			.isEqualTo(started(mode, withClose(mode, "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE")));
	}

	@ParameterizedTest
	@CsvSource({ "DIRECT", "PROXIED" })
	void test3JustGet200OverH2(Mode mode) throws Exception {
		int port = startServer(true, TestPki.server(), true);
		RecordingHandler handler = new RecordingHandler();
		open(mode, true, "localhost", port, "/status/200", handler, (b) -> b.set(StreamTypeKey.PROTOCOL, Protocol.H2))
			.requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(handler.stateNames())
			.isEqualTo(started(mode, "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE", "DISCONNECTED"));
		assertThat(this.server.takeRequest().getVersion()).isEqualTo("HTTP/2");
	}

	@ParameterizedTest
	@CsvSource({ "DIRECT", "PROXIED" })
	void test6TimeoutAfterConnectionOverH2(Mode mode) throws Exception {
		int port = startServer(true, TestPki.server(), true);
		RecordingHandler handler = new RecordingHandler()
			.onState((s, state) -> (state == StreamState.TIMEOUT) ? StreamResult.DESTROY_ME : StreamResult.OK);
		open(mode, true, "localhost", port, "/delay/5", handler,
				(b) -> b.set(StreamTypeKey.PROTOCOL, Protocol.H2).set(StreamTypeKey.TIMEOUT_MS, 1000L))
			.requestTx();
		handler.await(StreamState.DESTROYING, WAIT);
		assertThat(handler.stateNames()).isEqualTo(started(mode, "CONNECTING", "TIMEOUT", "DESTROYING"));
	}

	@ParameterizedTest
	@CsvSource({ "DIRECT", "PROXIED" })
	void test15ReadBulkThroughMetadataInTheUrlOverH2(Mode mode) throws Exception {
		int port = startServer(true, TestPki.server(), true);
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = open(mode, true, "localhost", port, "/bytes/${amount}", handler,
				(b) -> b.set(StreamTypeKey.PROTOCOL, Protocol.H2)
					.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("amount", ""))));
		stream.setMetadata("amount", "12345");
		stream.requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(handler.received()).hasSize(12345);
		assertThat(handler.stateNames())
			.isEqualTo(started(mode, "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE", "DISCONNECTED"));
	}

	@ParameterizedTest(name = "{0} tls={1}")
	@CsvSource({ "DIRECT,false", "DIRECT,true", "PROXIED,false", "PROXIED,true" })
	void test4And5TimeoutAfterConnection(Mode mode, boolean tls) throws Exception {
		int port = startServer(tls, TestPki.server());
		RecordingHandler handler = new RecordingHandler()
			.onState((s, state) -> (state == StreamState.TIMEOUT) ? StreamResult.DESTROY_ME : StreamResult.OK);
		// The test budget (the stream timeout) is shorter than the server's delay.
		open(mode, tls, "localhost", port, "/delay/5", handler, (b) -> b.set(StreamTypeKey.TIMEOUT_MS, 1000L))
			.requestTx();
		handler.await(StreamState.DESTROYING, WAIT);
		assertThat(handler.stateNames()).isEqualTo(started(mode, "CONNECTING", "TIMEOUT", "DESTROYING"));
	}

	@ParameterizedTest(name = "{0} tls={1}")
	@CsvSource({ "DIRECT,false", "DIRECT,true", "PROXIED,false", "PROXIED,true" })
	void test7And8NxdomainIsUnreachable(Mode mode, boolean tls) {
		RecordingHandler handler = new RecordingHandler()
			.onState((s, state) -> (state == StreamState.UNREACHABLE) ? StreamResult.DESTROY_ME : StreamResult.OK);
		open(mode, tls, "bogus.invalid", 443, "/", handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.DESTROYING, WAIT);
		assertThat(handler.stateNames()).isEqualTo(started(mode, "CONNECTING", "UNREACHABLE", "DESTROYING"));
	}

	@ParameterizedTest(name = "{0} tls={1}")
	@CsvSource({ "DIRECT,false", "DIRECT,true", "PROXIED,false", "PROXIED,true" })
	void test10And11NxdomainExhaustsRetries(Mode mode, boolean tls) {
		RecordingHandler handler = new RecordingHandler();
		open(mode, tls, "bogus.invalid", 443, "/", handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		// retry "fast" conceals 3 failures: 4 attempts, then ALL_RETRIES_FAILED.
		assertThat(handler.stateNames()).isEqualTo(started(mode, FOUR_FAILED_ATTEMPTS.toArray(String[]::new)));
	}

	@ParameterizedTest(name = "{0} tls={1}")
	@CsvSource({ "DIRECT,false", "DIRECT,true", "PROXIED,false", "PROXIED,true" })
	void test13And14ReadBulkThroughMetadataInTheUrl(Mode mode, boolean tls) throws Exception {
		int port = startServer(tls, TestPki.server());
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = open(mode, tls, "localhost", port, "/bytes/${amount}", handler,
				(b) -> b.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("amount", ""))));
		stream.setMetadata("amount", "12345");
		stream.requestTx();
		awaitTransaction(mode, handler, StreamState.QOS_ACK_REMOTE);
		assertThat(handler.received()).hasSize(12345);
		assertThat(handler.stateNames())
			.isEqualTo(started(mode, withClose(mode, "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE")));
	}

	@ParameterizedTest(name = "{0} {1}")
	@CsvSource({ "DIRECT,wrong-host", "DIRECT,expired", "DIRECT,self-signed", "PROXIED,wrong-host",
			"PROXIED,expired", "PROXIED,self-signed" })
	void test16To18BadCertificatesExhaustRetriesWithoutSendingARequest(Mode mode, String kind) throws Exception {
		X509Bundle certificate = switch (kind) {
			case "wrong-host" -> TestPki.wrongHost();
			case "expired" -> TestPki.expired();
			default -> TestPki.selfSigned();
		};
		int port = startServer(true, certificate);
		RecordingHandler handler = new RecordingHandler();
		open(mode, true, "localhost", port, "/status/200", handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).isEqualTo(started(mode, FOUR_FAILED_ATTEMPTS.toArray(String[]::new)));
		assertThat(this.server.getRequestCount()).as("requests that reached the server").isZero();
	}

}
