package io.securestreams.pki;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;

import org.jspecify.annotations.Nullable;

/**
 * Tells whether a private key belongs to a certificate's public key, by signing with the one and
 * verifying with the other (RSA, EC and EdDSA keys), so that a mismatched pair is refused where it
 * is stored rather than in every later TLS handshake.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class KeyPairCheck {

	private static final byte[] PROBE = "secure-streams key pair check".getBytes(StandardCharsets.US_ASCII);

	private KeyPairCheck() {
	}

	/**
	 * Returns whether a private key belongs to a public key. Keys are told apart by type, not by their
	 * algorithm names, which differ by provider for the same key (BouncyCastle, once registered,
	 * names EC keys "ECDSA"). Only a signature that verifies false is a mismatch; a probe the
	 * providers cannot make is left to the handshake.
	 * @param publicKey the public key, usually a certificate's
	 * @param privateKey the private key
	 * @return {@code false} only when a signature made with the private key does not verify
	 */
	public static boolean matches(PublicKey publicKey, PrivateKey privateKey) {
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
