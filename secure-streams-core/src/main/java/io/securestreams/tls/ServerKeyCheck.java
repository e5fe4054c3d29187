package io.securestreams.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

import io.securestreams.SecureStreamsException;
import io.securestreams.pki.KeyPairCheck;
import io.securestreams.policy.PolicyCertificate;

/**
 * Checks a server streamtype's {@code server_cert} and {@code server_key} entries before a TLS
 * context is built from them, so that a wrong policy fails when the listener is created rather
 * than in every later handshake: each entry must be of its kind, and the key must belong to the
 * certificate (checked by signing with the key and verifying with the certificate's public key,
 * for RSA, EC and EdDSA keys, by {@link KeyPairCheck}).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ServerKeyCheck {

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
			throw new SecureStreamsException("server streamtype '" + streamType + "': \"server_cert\" names certs "
					+ "entry '" + cert.name() + "', which is a private key, not a certificate");
		}
		if (key.kind() != PolicyCertificate.Kind.PRIVATE_KEY) {
			throw new SecureStreamsException("server streamtype '" + streamType + "': \"server_key\" names certs "
					+ "entry '" + key.name() + "', which is a certificate, not a private key");
		}
		X509Certificate certificate = cert.certificate();
		PrivateKey privateKey = key.privateKey();
		if (!KeyPairCheck.matches(certificate.getPublicKey(), privateKey)) {
			throw new SecureStreamsException("server streamtype '" + streamType + "': the private key '" + key.name()
					+ "' does not belong to the certificate '" + cert.name() + "' ("
					+ certificate.getSubjectX500Principal() + ")");
		}
	}

}
