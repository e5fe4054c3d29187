package io.securestreams.pki;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PublicKey;

import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyCertificate;
import io.securestreams.testsupport.TestPki;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * A file of the wrong kind is named for what it holds: a public key or a certificate given for a
 * private key was "no unencrypted PRIVATE KEY block", a key given for a certificate "no
 * CERTIFICATE block", and a certificate chain saved as concatenated DER "the DER SEQUENCE does not
 * span the bytes exactly", none of which tells what to do.
 */
class KeyMaterialWrongContentTests {

	private static byte[] pem(String type, byte[] der) throws Exception {
		StringWriter text = new StringWriter();
		try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
			writer.writeObject(() -> new PemObject(type, der));
		}
		return text.toString().getBytes(StandardCharsets.US_ASCII);
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	@Test
	void aPublicKeyGivenForAPrivateKeyIsNamed() throws Exception {
		PublicKey publicKey = TestPki.client().getCertificate().getPublicKey();
		byte[] spki = publicKey.getEncoded();
		// openssl pkey -pubout writes PUBLIC KEY; openssl rsa -RSAPublicKey_out writes RSA PUBLIC KEY.
		byte[] rsaSpki = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic().getEncoded();
		byte[] rsa = SubjectPublicKeyInfo.getInstance(rsaSpki).parsePublicKey().getEncoded();
		for (byte[] text : new byte[][] { pem("PUBLIC KEY", spki), pem("RSA PUBLIC KEY", rsa) }) {
			assertThatIllegalArgumentException().isThrownBy(() -> KeyMaterial.privateKey(text))
				.withMessage("the PEM text holds a public key, not a private key");
		}
		assertThatIllegalArgumentException().isThrownBy(() -> KeyMaterial.privateKeyFromDer(spki))
			.withMessage("a DER public key, not a private key");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new SystemBlobs().clientCertificate(0,
					ascii(TestPki.client().getCertificatePathPEM()), pem("PUBLIC KEY", spki)))
			.withMessage("client certificate 0: the private key is unreadable: the PEM text holds a public key, "
					+ "not a private key");
	}

	@Test
	void aCertificateGivenForAPrivateKeyIsNamed() throws Exception {
		byte[] certificate = ascii(TestPki.client().getCertificatePEM());
		assertThatIllegalArgumentException().isThrownBy(() -> KeyMaterial.privateKey(certificate))
			.withMessage("the PEM text holds a certificate, not a private key");
		byte[] der = TestPki.client().getCertificate().getEncoded();
		assertThatIllegalArgumentException().isThrownBy(() -> KeyMaterial.privateKey(der))
			.withMessage("a DER certificate, not a private key");
	}

	@Test
	void aKeyGivenForACertificateIsNamed() throws Exception {
		byte[] privateKey = ascii(TestPki.client().getPrivateKeyPEM());
		assertThatIllegalArgumentException().isThrownBy(() -> KeyMaterial.certificates(privateKey))
			.withMessage("the PEM text holds a private key, not a certificate");
		byte[] publicKey = pem("PUBLIC KEY", TestPki.client().getCertificate().getPublicKey().getEncoded());
		assertThatIllegalArgumentException().isThrownBy(() -> KeyMaterial.certificates(publicKey))
			.withMessage("the PEM text holds a public key, not a certificate");
		byte[] der = TestPki.client().getKeyPair().getPrivate().getEncoded();
		assertThatIllegalArgumentException().isThrownBy(() -> KeyMaterial.certificates(der))
			.withMessage("a DER private key, not a certificate");
	}

	@Test
	void aChainSavedAsConcatenatedDerIsRefusedSayingToGiveItAsPem() throws Exception {
		byte[] leaf = TestPki.client().getCertificate().getEncoded();
		byte[] ca = TestPki.ca().getCertificate().getEncoded();
		byte[] chain = new byte[leaf.length + ca.length];
		System.arraycopy(leaf, 0, chain, 0, leaf.length);
		System.arraycopy(ca, 0, chain, leaf.length, ca.length);
		String problem = "a DER certificate followed by " + ca.length + " more bytes, as when several are saved in "
				+ "one DER file: give a certificate chain as PEM, one CERTIFICATE block per certificate, leaf first";
		assertThatIllegalArgumentException().isThrownBy(() -> KeyMaterial.certificates(chain)).withMessage(problem);
		assertThatIllegalArgumentException().isThrownBy(() -> KeyMaterial.certificateFromDer(chain))
			.withMessage(problem);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new SystemBlobs().clientCertificate(0, chain,
					ascii(TestPki.client().getPrivateKeyPEM())))
			.withMessage("client certificate 0: the certificate chain is unreadable: " + problem);
		// A policy certs entry (or a Spring Boot certs location) is one certificate, not a chain.
		assertThatIllegalArgumentException().isThrownBy(() -> PolicyCertificate.fromDer("ca", chain))
			.withMessage("is a DER certificate followed by " + ca.length + " more bytes, as when several are saved "
					+ "in one DER file: an entry is one certificate");
		// Its first certificate alone, or the same chain as PEM, is read.
		assertThat(KeyMaterial.certificates(leaf)).containsExactly(TestPki.client().getCertificate());
		assertThat(KeyMaterial.certificates(ascii(TestPki.client().getCertificatePathPEM()))).first()
			.isEqualTo(TestPki.client().getCertificate());
	}

}
