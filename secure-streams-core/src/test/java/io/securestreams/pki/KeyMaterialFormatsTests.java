package io.securestreams.pki;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Set;

import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyCertificate;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.json.PolicyParser;
import io.securestreams.testsupport.TestPki;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.CertificateTrustBlock;
import org.bouncycastle.openssl.X509TrustedCertificateBlock;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemObjectGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Private keys as OpenSSL writes them: each unencrypted form is read, an encrypted one is named
 * as such, and a key of another type than the certificate's is never taken for its key.
 */
class KeyMaterialFormatsTests {

	private static final char[] PASSWORD = "secret".toCharArray();

	private static final String ENCRYPTED = "an encrypted private key, which is read only unencrypted: decrypt it "
			+ "first, for example with openssl pkey -in KEY.pem -out PLAIN.pem";

	// Only to encrypt the test keys: the JDK has no provider for OpenSSL's encryptions.
	private static final Provider BC = new BouncyCastleProvider();

	private static KeyPair generate(String algorithm) throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
		if (algorithm.equals("RSA") || algorithm.equals("DSA")) {
			generator.initialize(2048);
		}
		return generator.generateKeyPair();
	}

	private static String pem(PemObjectGenerator generator) throws Exception {
		StringWriter text = new StringWriter();
		try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
			writer.writeObject(generator);
		}
		return text.toString();
	}

	@ParameterizedTest
	@ValueSource(strings = { "RSA", "EC", "Ed25519", "Ed448" })
	void everyUnencryptedFormIsReadAndMatchesItsPublicKey(String algorithm) throws Exception {
		KeyPair pair = generate(algorithm);
		byte[] pkcs8 = pair.getPrivate().getEncoded();
		String pkcs8Pem = pem(new JcaPKCS8Generator(pair.getPrivate(), null));
		for (PrivateKey key : new PrivateKey[] { KeyMaterial.privateKeyFromDer(pkcs8),
				KeyMaterial.privateKey(pkcs8Pem.getBytes(StandardCharsets.US_ASCII)) }) {
			assertThat(KeyPairCheck.matches(pair.getPublic(), key)).as(algorithm).isTrue();
		}
		if (algorithm.equals("RSA") || algorithm.equals("EC")) {
			byte[] traditional = traditional(pkcs8);
			String type = algorithm + " PRIVATE KEY";
			String traditionalPem = pem(() -> new PemObject(type, traditional));
			assertThat(KeyPairCheck.matches(pair.getPublic(), KeyMaterial.privateKeyFromDer(traditional))).isTrue();
			assertThat(KeyPairCheck.matches(pair.getPublic(),
					KeyMaterial.privateKey(traditionalPem.getBytes(StandardCharsets.US_ASCII))))
				.isTrue();
		}
	}

	@Test
	void aSec1EcKeyInAPolicyCertsEntryIsAPrivateKey() throws Exception {
		// The body of an "EC PRIVATE KEY" PEM, as docs/policy.md asks for: Bouncy Castle's PKCS#1
		// reader failed on it with a ClassCastException that ended the EC attempt before it began,
		// so the entry "decodes to neither".
		KeyPair pair = generate("EC");
		byte[] sec1 = traditional(pair.getPrivate().getEncoded());
		String policy = "{\"certs\": [{\"key\": \"" + Base64.getEncoder().encodeToString(sec1) + "\"}]}";
		PolicyCertificate entry = new PolicyParser().parse("p.json", policy.getBytes(StandardCharsets.UTF_8))
			.policy()
			.certs()
			.get("key");
		assertThat(entry.kind()).isEqualTo(PolicyCertificate.Kind.PRIVATE_KEY);
		assertThat(KeyPairCheck.matches(pair.getPublic(), entry.privateKey())).isTrue();
	}

	@Test
	void anOpensslTrustedCertificateIsReadAsItsCertificate() throws Exception {
		// openssl x509 -trustout writes "TRUSTED CERTIFICATE": it was "no CERTIFICATE block".
		X509Certificate certificate = TestPki.ca().getCertificate();
		byte[] block = new X509TrustedCertificateBlock(new JcaX509CertificateHolder(certificate),
				new CertificateTrustBlock(Set.of(KeyPurposeId.id_kp_serverAuth.toOID()))).getEncoded();
		String pem = pem(() -> new PemObject("TRUSTED CERTIFICATE", block))
				+ TestPki.client().getCertificatePEM();
		assertThat(KeyMaterial.certificates(pem.getBytes(StandardCharsets.US_ASCII)))
			.containsExactly(certificate, TestPki.client().getCertificate());
	}

	@Test
	void aByteOrderMarkOrIndentationBeforeTheFirstBlockLosesNothing() throws Exception {
		// The first block was skipped without a word: the leaf of a chain (the key was then said not
		// to be the certificate's, which was the CA's), or the only key ("no PRIVATE KEY block").
		byte[] bom = { (byte) 0xef, (byte) 0xbb, (byte) 0xbf };
		String chain = TestPki.client().getCertificatePathPEM();
		String key = TestPki.client().getPrivateKeyPEM();
		String indented = "  " + chain.replace("\n", "\n  ");
		byte[] indentedKey = ("  " + key.replace("\n", "\r\n  ")).getBytes(StandardCharsets.US_ASCII);
		for (byte[] text : new byte[][] { concat(bom, chain), concat(bom, key),
				indented.getBytes(StandardCharsets.US_ASCII), indentedKey }) {
			if (new String(text, StandardCharsets.ISO_8859_1).contains("CERTIFICATE")) {
				assertThat(KeyMaterial.certificates(text)).first().isEqualTo(TestPki.client().getCertificate());
				assertThat(KeyMaterial.certificates(text)).hasSameSizeAs(KeyMaterial.certificates(
						chain.getBytes(StandardCharsets.US_ASCII)));
			}
			else {
				assertThat(KeyPairCheck.matches(TestPki.client().getCertificate().getPublicKey(),
						KeyMaterial.privateKey(text))).isTrue();
			}
		}
		new SystemBlobs().clientCertificate(0, concat(bom, chain), concat(bom, key));
	}

	private static byte[] concat(byte[] prefix, String text) {
		byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
		byte[] joined = new byte[prefix.length + bytes.length];
		System.arraycopy(prefix, 0, joined, 0, prefix.length);
		System.arraycopy(bytes, 0, joined, prefix.length, bytes.length);
		return joined;
	}

	/**
	 * PKCS#1 (RSA) or SEC1 (EC), as {@code openssl pkey -traditional} writes them: a SEC1 key
	 * names its curve itself, where the JDK's PKCS#8 keeps it in the outer algorithm identifier.
	 */
	private static byte[] traditional(byte[] pkcs8) throws Exception {
		PrivateKeyInfo info = PrivateKeyInfo.getInstance(pkcs8);
		if (!info.getPrivateKeyAlgorithm().getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey)) {
			return info.parsePrivateKey().toASN1Primitive().getEncoded();
		}
		ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
		return new ECPrivateKey(256, inner.getKey(), inner.getPublicKey(),
				info.getPrivateKeyAlgorithm().getParameters()).getEncoded();
	}

	@Test
	void anEncryptedPkcs8KeyIsNamedAsEncryptedWhereverItIsGiven() throws Exception {
		PrivateKey key = TestPki.client().getKeyPair().getPrivate();
		PemObject encrypted = new JcaPKCS8Generator(key,
				new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC).setProvider(BC)
					.setPassword(PASSWORD)
					.build())
			.generate();
		byte[] der = encrypted.getContent();
		String pem = pem(() -> encrypted);
		assertThat(pem).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
		// Before, "not a DER private key (PKCS#8, PKCS#1 or SEC1)" and "no unencrypted PRIVATE KEY
		// block", which sent the user looking for another file rather than decrypting this one.
		assertThatIllegalArgumentException().isThrownBy(() -> KeyMaterial.privateKeyFromDer(der))
			.withMessage(ENCRYPTED);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> KeyMaterial.privateKey(pem.getBytes(StandardCharsets.US_ASCII)))
			.withMessage("the PEM text holds " + ENCRYPTED);
		assertThatIllegalArgumentException().isThrownBy(() -> PolicyCertificate.fromDer("key", der))
			.withMessage("is " + ENCRYPTED);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new SystemBlobs().clientCertificate(0,
					TestPki.client().getCertificatePathPEM().getBytes(StandardCharsets.US_ASCII),
					pem.getBytes(StandardCharsets.US_ASCII)))
			.withMessage("client certificate 0: the private key is unreadable: the PEM text holds "
					+ ENCRYPTED);
		String policy = "{\"certs\": [{\"key\": \"" + Base64.getEncoder().encodeToString(der) + "\"}]}";
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> new PolicyParser().parse("p.json", policy.getBytes(StandardCharsets.UTF_8)))
			.satisfies((ex) -> assertThat(ex.problems()).singleElement()
				.satisfies((problem) -> assertThat(problem.format())
					.endsWith("certs[0].key: the base64 DER is " + ENCRYPTED)));
	}

	@Test
	void aTraditionalEncryptedPemKeyIsNamedAsEncrypted() throws Exception {
		// openssl rsa -aes256: "-----BEGIN RSA PRIVATE KEY-----" with a Proc-Type: 4,ENCRYPTED header.
		String pem = pem(new JcaMiscPEMGenerator(generate("RSA").getPrivate(),
				new JcePEMEncryptorBuilder("AES-256-CBC").setProvider(BC).build(PASSWORD)));
		assertThat(pem).contains("Proc-Type: 4,ENCRYPTED");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> KeyMaterial.privateKey(pem.getBytes(StandardCharsets.US_ASCII)))
			.withMessage("the PEM text holds " + ENCRYPTED);
	}

}
