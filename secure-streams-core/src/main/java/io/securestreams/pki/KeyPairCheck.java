package io.securestreams.pki;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.DSAKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.interfaces.XECKey;

import org.jspecify.annotations.Nullable;

/**
 * Tells whether a private key belongs to a certificate's public key, by its type and by signing
 * with the one and verifying with the other (RSA, EC, EdDSA and DSA keys), so that a mismatched
 * pair is refused where it is stored rather than in every later TLS handshake.
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
	 * names EC keys "ECDSA"). A key of another type than the public key's (a DSA or X25519 key for
	 * an RSA certificate) is a mismatch, as is a signature that verifies false; a key of a type not
	 * known here, or one the providers cannot sign a probe with, is left to the handshake.
	 * @param publicKey the public key, usually a certificate's
	 * @param privateKey the private key
	 * @return {@code false} when the key is of another type or its signature does not verify
	 */
	public static boolean matches(PublicKey publicKey, PrivateKey privateKey) {
		String type = type(privateKey);
		if (type == null) {
			return true;
		}
		// Before, a key that cannot sign here (DSA, X25519) passed whatever the certificate held,
		// so the wrong key file failed every later handshake instead of where it was given.
		if (!type.equals(type(publicKey))) {
			return false;
		}
		String algorithm = signatureAlgorithm(type);
		if (algorithm == null) {
			return true;
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

	private static @Nullable String type(Key key) {
		if (key instanceof RSAKey) {
			return "RSA";
		}
		if (key instanceof ECKey) {
			return "EC";
		}
		if (key instanceof EdECKey) {
			return "EdDSA";
		}
		if (key instanceof DSAKey) {
			return "DSA";
		}
		if (key instanceof XECKey) {
			return "XDH";
		}
		return null;
	}

	private static @Nullable String signatureAlgorithm(String type) {
		return switch (type) {
			case "RSA" -> "SHA256withRSA";
			case "EC" -> "SHA256withECDSA";
			case "EdDSA" -> "EdDSA";
			case "DSA" -> "SHA256withDSA";
			// X25519 and X448 keys only agree on secrets: no certificate of a TLS peer holds one.
			default -> null;
		};
	}

}
