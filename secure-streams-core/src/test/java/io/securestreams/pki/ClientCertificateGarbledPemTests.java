package io.securestreams.pki;

import java.nio.charset.StandardCharsets;

import io.securestreams.SystemBlobs;
import io.securestreams.testsupport.TestPki;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * A client certificate or key in PEM whose block is not base64 (or not DER) is refused like any
 * other unreadable part, with an IllegalArgumentException naming the index and the part: Bouncy
 * Castle's own IllegalStateException for bad base64 escaped without saying which blob was wrong.
 */
class ClientCertificateGarbledPemTests {

	@ParameterizedTest
	@ValueSource(strings = { "!!!!", "QUJD", "MAMCAQE=", "A", "====", "MIIB" })
	void garbledKeyIsRefusedNamingThePart(String body) throws Exception {
		byte[] chain = TestPki.client().getCertificatePathPEM().getBytes(StandardCharsets.US_ASCII);
		for (String type : new String[] { "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY",
				"ENCRYPTED PRIVATE KEY" }) {
			byte[] key = ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n")
				.getBytes(StandardCharsets.US_ASCII);
			assertThatIllegalArgumentException().as(type)
				.isThrownBy(() -> new SystemBlobs().clientCertificate(0, chain, key))
				.withMessageStartingWith("client certificate 0: the private key is unreadable");
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "!!!!", "QUJD", "MAMCAQE=", "A", "====", "MIIB" })
	void garbledCertificateIsRefusedNamingThePart(String body) throws Exception {
		byte[] key = TestPki.client().getPrivateKeyPEM().getBytes(StandardCharsets.US_ASCII);
		for (String type : new String[] { "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE" }) {
			byte[] chain = ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n")
				.getBytes(StandardCharsets.US_ASCII);
			assertThatIllegalArgumentException().as(type)
				.isThrownBy(() -> new SystemBlobs().clientCertificate(0, chain, key))
				.withMessageStartingWith("client certificate 0: the certificate chain is unreadable");
		}
	}

}
