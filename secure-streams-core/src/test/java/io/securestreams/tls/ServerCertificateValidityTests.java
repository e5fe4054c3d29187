package io.securestreams.tls;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.securestreams.SecureStreams;
import io.securestreams.StreamHandler;
import io.securestreams.policy.PolicyCertificate;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server streamtype whose {@code server_cert} has expired or is not valid yet still serves it,
 * as libwebsockets does, but a warning names the streamtype, the entry, the subject and the date
 * when the listener's TLS context is built: clients that check the dates refuse the handshake,
 * and the server side hears only that the handshake failed.
 */
class ServerCertificateValidityTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@ParameterizedTest(name = "{0}")
	@CsvSource({ "expired,-3,-1,expired at", "not yet valid,1,3,is not valid before" })
	void aServerCertificateOutsideItsDatesIsNamedInAWarning(String kind, int fromDays, int toDays, String says)
			throws Exception {
		LogCapture logs = this.resources.closing(new LogCapture());
		Instant now = Instant.now();
		X509Bundle server = new CertificateBuilder().subject("CN=dated-server").ecp256()
			.setIsCertificateAuthority(false)
			.notBefore(now.plus(fromDays, ChronoUnit.DAYS))
			.notAfter(now.plus(toDays, ChronoUnit.DAYS))
			.addSanDnsName("localhost")
			.buildIssuedBy(TestPki.ca());
		listen(server);
		assertThat(logs.warnings()).filteredOn((line) -> line.contains("server_cert"))
			.singleElement()
			.asString()
			.contains("server streamtype 'srv'", "'dated_cert'", "CN=dated-server", says);
	}

	@Test
	void aServerCertificateWithinItsDatesGetsNoWarning() throws Exception {
		LogCapture logs = this.resources.closing(new LogCapture());
		listen(TestPki.server());
		assertThat(logs.warnings()).noneMatch((line) -> line.contains("server_cert"));
	}

	private void listen(X509Bundle server) throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		fragment.certificate(PolicyCertificate.fromDer("dated_cert", server.getCertificate().getEncoded()));
		fragment.certificate(PolicyCertificate.fromDer("dated_key", server.getKeyPair().getPrivate().getEncoded()));
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false)
			.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.SERVER_CERT, "dated_cert")
			.set(StreamTypeKey.SERVER_KEY, "dated_key");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		streams.create("srv", new StreamHandler() { });
	}

}
