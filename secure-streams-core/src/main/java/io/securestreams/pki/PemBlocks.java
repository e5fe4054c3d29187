package io.securestreams.pki;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.X509TrustedCertificateBlock;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.jspecify.annotations.Nullable;

/**
 * The PEM side of {@link KeyMaterial}: a Bouncy Castle parser over text cleaned of what hides a
 * block from it, and what each kind of block parsed is.
 *
 * @author Secure Streams contributors
 */
final class PemBlocks {

	private PemBlocks() {
	}

	/**
	 * Names a PEM block that is a key or a certificate, for the message when it is given where the
	 * other is expected (a swapped pair, or the public key openssl pkey -pubout writes).
	 */
	static @Nullable String describe(Object item) {
		if (item instanceof SubjectPublicKeyInfo) {
			return "a public key";
		}
		if (item instanceof X509CertificateHolder || item instanceof X509TrustedCertificateBlock) {
			return "a certificate";
		}
		if (item instanceof PEMKeyPair || item instanceof PrivateKeyInfo) {
			return "a private key";
		}
		if (item instanceof PKCS8EncryptedPrivateKeyInfo || item instanceof PEMEncryptedKeyPair) {
			return "an encrypted private key";
		}
		if (item instanceof PKCS10CertificationRequest) {
			return "a certificate request";
		}
		return null;
	}

	/** The private key an unencrypted key block holds, or {@code null} for any other block. */
	static @Nullable PrivateKey toPrivateKey(Object item) throws IOException {
		JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
		if (item instanceof PEMKeyPair pair) {
			return converter.getPrivateKey(pair.getPrivateKeyInfo());
		}
		if (item instanceof PrivateKeyInfo info) {
			return converter.getPrivateKey(info);
		}
		return null;
	}

	/** A parser of the blocks in PEM bytes, which the caller closes. */
	static PEMParser parser(byte[] bytes) {
		return new PEMParser(new StringReader(normalise(new String(bytes, StandardCharsets.US_ASCII))));
	}

	/**
	 * Strips each line and what stands before a BEGIN or END marker on it. Bouncy Castle only
	 * sees a block whose BEGIN line starts with the marker, so the byte-order mark a Windows editor
	 * writes, or the indentation of a PEM pasted into YAML, silently dropped the first block: the
	 * leaf of a chain, or the only key.
	 */
	private static String normalise(String text) {
		StringBuilder lines = new StringBuilder(text.length());
		for (String line : text.split("\r\n|\r|\n", -1)) {
			int marker = line.indexOf("-----BEGIN ");
			if (marker < 0) {
				marker = line.indexOf("-----END ");
			}
			lines.append(((marker > 0) ? line.substring(marker) : line).strip()).append('\n');
		}
		return lines.toString();
	}

}
