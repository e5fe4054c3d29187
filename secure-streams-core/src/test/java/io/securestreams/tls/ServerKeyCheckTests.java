package io.securestreams.tls;

import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;

import io.securestreams.SecureStreamsException;
import io.securestreams.pki.KeyPairCheck;
import io.securestreams.policy.PolicyCertificate;
import io.securestreams.testsupport.TestPki;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The key pair check is about the keys, not about which provider made the key objects.
 */
class ServerKeyCheckTests {

	@Test
	void aKeyMatchesItsCertificateWhicheverProviderParsedIt() throws Exception {
		byte[] der = TestPki.server().getKeyPair().getPrivate().getEncoded();
		// BouncyCastle, when registered as a provider, parses EC keys into keys named "ECDSA",
		// where the JDK's certificate holds an "EC" public key.
		PrivateKey bouncyCastle = KeyFactory.getInstance("ECDSA", new BouncyCastleProvider())
			.generatePrivate(new PKCS8EncodedKeySpec(der));
		assertThat(bouncyCastle.getAlgorithm()).isEqualTo("ECDSA");
		assertThat(KeyPairCheck.matches(TestPki.server().getCertificate().getPublicKey(), bouncyCastle)).isTrue();
		assertThat(KeyPairCheck.matches(TestPki.server().getCertificate().getPublicKey(),
				TestPki.server().getKeyPair().getPrivate())).isTrue();
	}

	@Test
	void aServerKeyOfAnotherTypeFailsNamingTheEntries() throws Exception {
		// An X25519 key cannot sign: it passed the check and failed every handshake instead.
		PolicyCertificate cert = PolicyCertificate.fromDer("cert", TestPki.server().getCertificate().getEncoded());
		PolicyCertificate key = PolicyCertificate.fromDer("key",
				KeyPairGenerator.getInstance("X25519").generateKeyPair().getPrivate().getEncoded());
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> ServerKeyCheck.check("srv", cert, key))
			.withMessageStartingWith("server streamtype 'srv': the private key 'key' does not belong to the "
					+ "certificate 'cert'");
	}

	@Test
	void anotherCertificatesKeyDoesNotMatch() {
		assertThat(KeyPairCheck.matches(TestPki.server().getCertificate().getPublicKey(),
				TestPki.client().getKeyPair().getPrivate())).isFalse();
	}

}
