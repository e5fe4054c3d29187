package io.securestreams.tls;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import io.netty.handler.ssl.SslContext;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A device that renews its client certificate every day (or every hour, as with short-lived
 * workload certificates) for months stores each new pair in the system blobs: the TLS contexts
 * built for the pairs it replaced must not stay cached, each with the old private key and its
 * own TLS session cache.
 */
class ClientCertificateRotationTests {

	private static X509Bundle renewed(int serial) throws Exception {
		Instant now = Instant.now();
		return new CertificateBuilder().subject("CN=device-" + serial)
			.ecp256()
			.notBefore(now.minus(1, ChronoUnit.DAYS))
			.notAfter(now.plus(1, ChronoUnit.DAYS))
			.addExtendedKeyUsageClientAuth()
			.buildIssuedBy(TestPki.ca());
	}

	private static void store(SystemBlobs blobs, int index, X509Bundle bundle) throws Exception {
		blobs.clientCertificate(index, bundle.getCertificatePathPEM().getBytes(StandardCharsets.US_ASCII),
				bundle.getPrivateKeyPEM().getBytes(StandardCharsets.US_ASCII));
	}

	@Test
	void renewedClientCertificatesReplaceTheirCachedContext() throws Exception {
		Policy policy = TestPolicies.with("t", (b) -> TestPolicies.h1(b, "localhost", 443, "GET", "/")
			.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.CLIENT_CERT, 0));
		StreamTypePolicy streamType = policy.streamType("t");
		SystemBlobs blobs = new SystemBlobs();
		TlsContexts contexts = new TlsContexts();
		for (int serial = 0; serial < 30; serial++) {
			store(blobs, 0, renewed(serial));
			SslContext first = contexts.clientContext(policy, streamType, blobs, List.of());
			// Every new connection until the next renewal reuses the context (and its TLS sessions).
			assertThat(contexts.clientContext(policy, streamType, blobs, List.of())).isSameAs(first);
		}
		assertThat(contexts.clientContextCount()).isEqualTo(1);
	}

	@Test
	void streamTypesWithDifferentClientCertificatesKeepTheirOwnContexts() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		for (int index = 0; index < 2; index++) {
			TestPolicies.h1(fragment.streamType("t" + index), "localhost", 443, "GET", "/")
				.set(StreamTypeKey.TLS, true)
				.set(StreamTypeKey.CLIENT_CERT, index);
		}
		Policy policy = fragment.build();
		StreamTypePolicy a = policy.streamType("t0");
		StreamTypePolicy b = policy.streamType("t1");
		SystemBlobs blobs = new SystemBlobs();
		store(blobs, 0, renewed(0));
		store(blobs, 1, renewed(1));
		TlsContexts contexts = new TlsContexts();
		SslContext forA = contexts.clientContext(policy, a, blobs, List.of());
		SslContext forB = contexts.clientContext(policy, b, blobs, List.of());
		assertThat(forA).isNotSameAs(forB);
		assertThat(contexts.clientContext(policy, a, blobs, List.of())).isSameAs(forA);
		assertThat(contexts.clientContext(policy, b, blobs, List.of())).isSameAs(forB);
		assertThat(contexts.clientContextCount()).isEqualTo(2);
	}

}
