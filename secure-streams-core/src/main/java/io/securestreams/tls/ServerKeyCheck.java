package io.securestreams.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.cert.X509Certificate;

import io.securestreams.SecureStreamsException;
import io.securestreams.policy.PolicyCertificate;
import org.jspecify.annotations.Nullable;

/**
 * Checks a server streamtype's {@code server_cert} and {@code server_key} entries before a TLS
 * context is built from them, so that a wrong policy fails when the listener is created rather
 * than in every later handshake: each entry must be of its kind, and the key must belong to the
 * certificate (checked by signing with the key and verifying with the certificate's public key,
 * for RSA, EC and EdDSA keys).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ServerKeyCheck {

	private static final byte[] PROBE = "secure-streams server key check".getBytes(StandardCharsets.US_ASCII);

	private ServerKeyCheck() {
	}

	/**
	 * Checks the pair.
	 * @param streamType the server streamtype's name, for the message
	 * @param cert the {@code server_cert} entry
	 * @param key the {@code server_key} entry
	 * @throws SecureStreamsException naming the entry at fault
	 */
	static void check(String streamType, PolicyCertificate cert, PolicyCertificate key) {
		if (cert.kind() != PolicyCertificate.Kind.CERTIFICATE) {
			throw new SecureStreamsException("server streamtype '" + streamType + "': \"server_cert\" names certs entry '"
					+ cert.name() + "', which is a private key, not a certificate");
		}
		if (key.kind() != PolicyCertificate.Kind.PRIVATE_KEY) {
			throw new SecureStreamsException("server streamtype '" + streamType + "': \"server_key\" names certs entry '"
					+ key.name() + "', which is a certificate, not a private key");
		}
		X509Certificate certificate = cert.certificate();
		PrivateKey privateKey = key.privateKey();
		if (!matches(certificate.getPublicKey(), privateKey)) {
			throw new SecureStreamsException("server streamtype '" + streamType + "': the private key '" + key.name()
					+ "' does not belong to the certificate '" + cert.name() + "' (" + certificate.getSubjectX500Principal()
					+ ")");
		}
	}

	/**
	 * Whether a private key belongs to a public key. Keys are told apart by type, not by their
	 * algorithm names, which differ by provider for the same key (BouncyCastle, once registered,
	 * names EC keys "ECDSA"). Only a signature that verifies false is a mismatch; a probe the
	 * providers cannot make is left to the handshake.
	 */
	static boolean matches(PublicKey publicKey, PrivateKey privateKey) {
		String algorithm = signatureAlgorithm(privateKey);
		if (algorithm == null || !sameType(publicKey, privateKey)) {
			return algorithm == null;
		}
		try {
			Signature signer = Signature.getInstance(algorithm);
			signer.initSign(privateKey);
			signer.update(PROBE);
			byte[] signature = signer.sign();
			Signature verifier = Signature.getInstance(algorithm);
			verifier.initVerify(publicKey);
			verifier.update(PROBE);
			return verifier.verify(signature);
		}
		catch (GeneralSecurityException ex) {
			return true;
		}
	}

	private static boolean sameType(PublicKey publicKey, PrivateKey privateKey) {
		return (publicKey instanceof RSAKey) == (privateKey instanceof RSAKey)
				&& (publicKey instanceof ECKey) == (privateKey instanceof ECKey)
				&& (publicKey instanceof EdECKey) == (privateKey instanceof EdECKey);
	}

	private static @Nullable String signatureAlgorithm(PrivateKey key) {
		if (key instanceof RSAKey) {
			return "SHA256withRSA";
		}
		if (key instanceof ECKey) {
			return "SHA256withECDSA";
		}
		if (key instanceof EdECKey) {
			return "EdDSA";
		}
		return null;
	}

}
