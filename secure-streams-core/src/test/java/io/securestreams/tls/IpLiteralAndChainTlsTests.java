package io.securestreams.tls;

import java.net.InetAddress;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS to an IP literal sends no SNI (RFC 6066) but still verifies the certificate's IP address
 * entries, for IPv4 and IPv6 written bare, in brackets or in a URL with a port; a certificate that
 * names the address only as a DNS name is refused. A server whose chain lacks its intermediate is
 * refused, and accepted once it sends the intermediate.
 */
class IpLiteralAndChainTlsTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@ParameterizedTest
	@ValueSource(strings = { "127.0.0.1", "::1", "[::1]", "https://[::1]:PORT/x", "https://127.0.0.1:PORT/x" })
	void anIpLiteralGetsNoServerNameAndItsAddressEntryIsVerified(String endpoint) throws Exception {
		String address = endpoint.contains("127.0.0.1") ? "127.0.0.1" : "::1";
		MockWebServer server = server(address, TestPki.serverContext(TestPki.server()));
		RecordingHandler handler = get(endpoint.replace("PORT", String.valueOf(server.getPort())), server.getPort());
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		RecordedRequest request = server.takeRequest();
		assertThat(request.getHandshakeServerNames()).isEmpty();
		assertThat(request.getTarget()).isEqualTo(endpoint.startsWith("https") ? "/x" : "/");
	}

	@Test
	void anAddressNamedOnlyAsADnsNameIsRefused() throws Exception {
		X509Bundle dnsOnly = leaf().addSanDnsName("localhost").addSanDnsName("127.0.0.1").buildIssuedBy(TestPki.ca());
		MockWebServer server = server("127.0.0.1", TestPki.serverContext(dnsOnly));
		assertRefused(get("127.0.0.1", server.getPort()), server);
	}

	@Test
	void aChainWithoutItsIntermediateIsRefusedAndWithItAccepted() throws Exception {
		Instant now = Instant.now();
		X509Bundle intermediate = new CertificateBuilder().subject("CN=Test Intermediate")
			.setIsCertificateAuthority(true)
			.ecp256()
			.notBefore(now.minus(1, ChronoUnit.DAYS))
			.notAfter(now.plus(30, ChronoUnit.DAYS))
			.buildIssuedBy(TestPki.ca());
		X509Bundle leaf = leaf().addSanDnsName("localhost").buildIssuedBy(intermediate);
		MockWebServer missing = server("127.0.0.1", context(leaf, leaf.getCertificate()));
		assertRefused(get("localhost", missing.getPort()), missing);
		MockWebServer complete = server("127.0.0.1", context(leaf, leaf.getCertificate(),
				intermediate.getCertificate()));
		get("localhost", complete.getPort()).await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(complete.getRequestCount()).isEqualTo(1);
	}

	private static CertificateBuilder leaf() {
		Instant now = Instant.now();
		return new CertificateBuilder().subject("CN=localhost")
			.ecp256()
			.notBefore(now.minus(1, ChronoUnit.DAYS))
			.notAfter(now.plus(30, ChronoUnit.DAYS))
			.addExtendedKeyUsageServerAuth();
	}

	private static SSLContext context(X509Bundle key, Certificate... chain) throws Exception {
		KeyStore store = KeyStore.getInstance("PKCS12");
		store.load(null, null);
		store.setKeyEntry("server", key.getKeyPair().getPrivate(), new char[0], chain);
		KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
		keys.init(store, new char[0]);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(keys.getKeyManagers(), null, null);
		return context;
	}

	private MockWebServer server(String address, SSLContext context) throws Exception {
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.useHttps(context.getSocketFactory());
		server.start(InetAddress.getByName(address), 0);
		server.enqueue(new MockResponse.Builder().body("ok").build());
		return server;
	}

	private static void assertRefused(RecordingHandler handler, MockWebServer server) {
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
		assertThat(server.getRequestCount()).isZero();
	}

	private RecordingHandler get(String endpoint, int port) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), endpoint, port, "GET", "/")
			.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
			.set(StreamTypeKey.RETRY, null);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler();
		streams.create("t", handler).requestTx();
		return handler;
	}

}
