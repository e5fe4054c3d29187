package io.securestreams.pki;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;

import io.securestreams.SystemBlobs;
import io.securestreams.testsupport.TestPki;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * A private key of another type than its certificate's public key is never taken for its key,
 * also when this check cannot sign with it (DSA, X25519).
 */
class KeyPairCheckTypeTests {

	private static KeyPair generate(String algorithm) throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
		if (algorithm.equals("RSA") || algorithm.equals("DSA")) {
			generator.initialize(2048);
		}
		return generator.generateKeyPair();
	}

	private static byte[] pkcs8Pem(PrivateKey key) throws Exception {
		StringWriter text = new StringWriter();
		try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
			writer.writeObject(new JcaPKCS8Generator(key, null));
		}
		return text.toString().getBytes(StandardCharsets.US_ASCII);
	}

	@ParameterizedTest
	@ValueSource(strings = { "DSA", "X25519", "Ed25519", "RSA" })
	void aKeyOfAnotherTypeThanTheCertificatesIsRefusedWhereItIsStored(String algorithm) throws Exception {
		// Before, a key this check could not sign with (DSA, X25519) passed for any certificate,
		// and the wrong key file showed only as a failed handshake on every connection.
		PrivateKey other = generate(algorithm).getPrivate();
		PublicKey certificateKey = TestPki.client().getCertificate().getPublicKey();
		assertThat(KeyPairCheck.matches(certificateKey, other)).isFalse();
		byte[] otherPem = pkcs8Pem(other);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new SystemBlobs().clientCertificate(0,
					TestPki.client().getCertificatePathPEM().getBytes(StandardCharsets.US_ASCII),
					otherPem))
			.withMessageStartingWith("client certificate 0: the private key does not belong to the leaf certificate");
	}

	@Test
	void aDsaKeyMatchesItsOwnPublicKeyOnly() throws Exception {
		KeyPair pair = generate("DSA");
		assertThat(KeyPairCheck.matches(pair.getPublic(), pair.getPrivate())).isTrue();
		assertThat(KeyPairCheck.matches(pair.getPublic(), generate("DSA").getPrivate())).isFalse();
	}

}
