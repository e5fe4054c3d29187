package io.securestreams.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.X509TrustedCertificateBlock;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads certificates and private keys from DER or PEM bytes. Private keys may be PKCS#8 (RSA, EC,
 * Ed25519, Ed448), PKCS#1 (RSA) or SEC1 (EC), which covers what OpenSSL and libwebsockets policies
 * contain; they must be unencrypted, and an encrypted one is named as such.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class KeyMaterial {

	private static final byte[] PEM_MARKER = "-----BEGIN".getBytes(StandardCharsets.US_ASCII);

	// What to do about it, as a user holding only the encrypted file needs to know.
	private static final String ENCRYPTED = "an encrypted private key, which is read only unencrypted: decrypt it "
			+ "first, for example with openssl pkey -in KEY.pem -out PLAIN.pem";

	private KeyMaterial() {
	}

	/**
	 * Decodes one DER X.509 certificate.
	 * @param der the DER bytes
	 * @return the certificate
	 * @throws IllegalArgumentException if the bytes are not exactly one DER certificate
	 */
	public static X509Certificate certificateFromDer(byte[] der) {
		int after = bytesAfterDerCertificate(der);
		if (after > 0) {
			throw new IllegalArgumentException("a DER certificate followed by " + after + " more bytes, as when "
					+ "several are saved in one DER file: give a certificate chain as PEM, one CERTIFICATE block per "
					+ "certificate, leaf first");
		}
		requireDerSequence(der);
		try {
			CertificateFactory factory = CertificateFactory.getInstance("X.509");
			ByteArrayInputStream in = new ByteArrayInputStream(der);
			X509Certificate certificate = (X509Certificate) factory.generateCertificate(in);
			if (in.available() > 0) {
				throw new IllegalArgumentException("trailing bytes after the DER certificate");
			}
			return certificate;
		}
		catch (CertificateException | RuntimeException ex) {
			throw new IllegalArgumentException("not a DER X.509 certificate", ex);
		}
	}

	/**
	 * Returns how many bytes follow a DER certificate that the bytes start with: a certificate
	 * chain saved as DER is its certificates one after the other, which no DER reader takes for a
	 * chain, so callers name it rather than calling the file no certificate.
	 * @param der the candidate bytes
	 * @return the number of bytes after the first certificate, 0 when there are none or the bytes
	 * do not start with a DER certificate
	 */
	public static int bytesAfterDerCertificate(byte[] der) {
		int first = derElementLength(der);
		if (first <= 0 || first >= der.length) {
			return 0;
		}
		try {
			certificateFromDer(Arrays.copyOf(der, first));
			return der.length - first;
		}
		catch (IllegalArgumentException notCertificate) {
			return 0;
		}
	}

	/**
	 * Returns the length of the definite-length SEQUENCE the bytes start with, header included,
	 * or -1 when they start with none.
	 */
	private static int derElementLength(byte[] der) {
		if (der.length < 2 || der[0] != 0x30) {
			return -1;
		}
		int first = der[1] & 0xff;
		if (first < 0x80) {
			return 2 + first;
		}
		// 0x80 is BER's indefinite length, which DER forbids; more than 4 length bytes
		// cannot describe an array.
		int count = first & 0x7f;
		if (count == 0 || count > 4 || der.length < 2 + count) {
			return -1;
		}
		long length = 0;
		for (int i = 0; i < count; i++) {
			length = (length << 8) | (der[2 + i] & 0xff);
		}
		return (2 + count + length > Integer.MAX_VALUE) ? -1 : (int) (2 + count + length);
	}

	/**
	 * Decodes a DER private key in PKCS#8, PKCS#1 (RSA) or SEC1 (EC) form.
	 * @param der the DER bytes
	 * @return the private key
	 * @throws IllegalArgumentException if the bytes are not a private key
	 */
	public static PrivateKey privateKeyFromDer(byte[] der) {
		requireDerSequence(der);
		try {
			return new JcaPEMKeyConverter().getPrivateKey(privateKeyInfo(der));
		}
		catch (IOException | RuntimeException ex) {
			throw new IllegalArgumentException(isEncryptedPrivateKey(der) ? ENCRYPTED
					: isDerPublicKey(der) ? "a DER public key, not a private key"
							: isDerCertificate(der) ? "a DER certificate, not a private key"
									: "not a DER private key (PKCS#8, PKCS#1 or SEC1)", ex);
		}
	}

	/**
	 * Returns whether DER bytes are an encrypted PKCS#8 private key ({@code EncryptedPrivateKeyInfo},
	 * what {@code openssl pkcs8 -topk8} writes unless told {@code -nocrypt}), which this library
	 * cannot read without a password; callers name it rather than calling it "no key".
	 * @param der the candidate bytes
	 * @return {@code true} for an encrypted private key
	 */
	public static boolean isEncryptedPrivateKey(byte[] der) {
		try {
			requireDerSequence(der);
			// A PrivateKeyInfo starts with its version INTEGER, an EncryptedPrivateKeyInfo with
			// the encryption algorithm's SEQUENCE.
			ASN1Sequence sequence = ASN1Sequence.getInstance(der);
			return sequence.size() == 2 && sequence.getObjectAt(0) instanceof ASN1Sequence
					&& EncryptedPrivateKeyInfo.getInstance(sequence) != null;
		}
		// Bouncy Castle refuses some malformed structures with other runtime exceptions.
		catch (RuntimeException ex) {
			return false;
		}
	}

	// A public key (openssl pkey -pubout) or a certificate where the key belongs is a common mix-up,
	// which "not a private key" alone leaves the user to work out.
	private static boolean isDerPublicKey(byte[] der) {
		try {
			requireDerSequence(der);
			SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(der);
			return info.getAlgorithm() != null && info.getPublicKeyData() != null;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private static boolean isDerCertificate(byte[] der) {
		try {
			certificateFromDer(der);
			return true;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	/**
	 * Checks that the bytes are one SEQUENCE with a definite length that spans them all, as DER
	 * certificates and keys are. The JDK's certificate reader follows BER indefinite lengths
	 * recursively, so nested ones (a few bytes each, from a policy a server sent) would end in a
	 * StackOverflowError instead of a rejection.
	 * @param der the candidate bytes
	 * @throws IllegalArgumentException if they are not a definite-length SEQUENCE
	 */
	private static void requireDerSequence(byte[] der) {
		if (der.length < 2 || der[0] != 0x30) {
			throw new IllegalArgumentException("not a DER SEQUENCE");
		}
		int length = derElementLength(der);
		if (length < 0) {
			throw new IllegalArgumentException("not a DER length");
		}
		if (length != der.length) {
			throw new IllegalArgumentException("the DER SEQUENCE does not span the bytes exactly");
		}
	}

	private static PrivateKeyInfo privateKeyInfo(byte[] der) throws IOException {
		ASN1Primitive primitive = ASN1Primitive.fromByteArray(der);
		try {
			return PrivateKeyInfo.getInstance(primitive);
		}
		catch (IllegalArgumentException | ClassCastException notPkcs8) {
			// Not PKCS#8: try the algorithm-specific encodings OpenSSL writes.
		}
		try {
			RSAPrivateKey rsa = RSAPrivateKey.getInstance(primitive);
			return new PrivateKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption,
					org.bouncycastle.asn1.DERNull.INSTANCE), rsa);
		}
		// Bouncy Castle reads the elements of a SEC1 key (version 1, then an OCTET STRING) as
		// PKCS#1 integers and fails with a ClassCastException: an EC key is no RSA key either way.
		catch (IllegalArgumentException | ClassCastException notRsa) {
			// fall through to EC
		}
		ECPrivateKey ec = ECPrivateKey.getInstance(primitive);
		return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, ec.getParametersObject()),
				ec);
	}

	/**
	 * Returns whether the bytes look like PEM text rather than DER.
	 * @param bytes the bytes
	 * @return {@code true} when a PEM {@code -----BEGIN} marker is present
	 */
	public static boolean isPem(byte[] bytes) {
		outer: for (int i = 0; i + PEM_MARKER.length <= bytes.length; i++) {
			for (int j = 0; j < PEM_MARKER.length; j++) {
				if (bytes[i + j] != PEM_MARKER[j]) {
					continue outer;
				}
			}
			return true;
		}
		return false;
	}

	/**
	 * Reads every certificate from PEM text ({@code CERTIFICATE} or OpenSSL's {@code TRUSTED CERTIFICATE}
	 * blocks), or one certificate from DER bytes. A DER certificate with bytes after it (a chain saved
	 * as DER) is refused saying to give the chain as PEM, rather than its first certificate being
	 * taken for the whole chain.
	 * @param bytes PEM or DER bytes
	 * @return the certificates in order, never empty
	 * @throws IllegalArgumentException if no certificate could be read
	 */
	public static List<X509Certificate> certificates(byte[] bytes) {
		if (!isPem(bytes)) {
			try {
				return List.of(certificateFromDer(bytes));
			}
			catch (IllegalArgumentException ex) {
				if (isDerPublicKey(bytes) || isPrivateKey(bytes)) {
					throw new IllegalArgumentException("a DER " + (isDerPublicKey(bytes) ? "public" : "private")
							+ " key, not a certificate", ex);
				}
				throw ex;
			}
		}
		List<X509Certificate> certificates = new ArrayList<>();
		String other = null;
		try (PEMParser parser = PemBlocks.parser(bytes)) {
			for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
				if (other == null) {
					other = PemBlocks.describe(item);
				}
				if (item instanceof X509CertificateHolder holder) {
					certificates.add(certificateFromDer(holder.getEncoded()));
				}
				// "TRUSTED CERTIFICATE", what openssl x509 -trustout writes: the certificate with
				// OpenSSL's trust settings after it, which a trust store here does not use.
				else if (item instanceof X509TrustedCertificateBlock trusted) {
					certificates.add(certificateFromDer(trusted.getCertificateHolder().getEncoded()));
				}
			}
		}
		catch (IOException | IllegalStateException ex) {
			// Bouncy Castle reports a block that is not base64 with an IllegalStateException.
			throw new IllegalArgumentException("unreadable PEM certificate: " + ex.getMessage(), ex);
		}
		if (certificates.isEmpty()) {
			throw new IllegalArgumentException((other != null) ? "the PEM text holds " + other + ", not a certificate"
					: "no CERTIFICATE block in the PEM text");
		}
		return certificates;
	}

	/**
	 * Reads a private key from PEM text ({@code PRIVATE KEY}, {@code RSA PRIVATE KEY} or
	 * {@code EC PRIVATE KEY}) or from DER bytes.
	 * @param bytes PEM or DER bytes
	 * @return the key
	 * @throws IllegalArgumentException if no unencrypted private key could be read
	 */
	public static PrivateKey privateKey(byte[] bytes) {
		if (!isPem(bytes)) {
			return privateKeyFromDer(bytes);
		}
		boolean encrypted = false;
		String other = null;
		try (PEMParser parser = PemBlocks.parser(bytes)) {
			for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
				PrivateKey key = PemBlocks.toPrivateKey(item);
				if (key != null) {
					return key;
				}
				if (other == null) {
					other = PemBlocks.describe(item);
				}
				// ENCRYPTED PRIVATE KEY, or a traditional key with a Proc-Type: 4,ENCRYPTED header.
				encrypted |= item instanceof PKCS8EncryptedPrivateKeyInfo || item instanceof PEMEncryptedKeyPair;
			}
		}
		catch (IOException | IllegalStateException ex) {
			// Bouncy Castle reports a block that is not base64 with an IllegalStateException.
			throw new IllegalArgumentException("unreadable PEM private key: " + ex.getMessage(), ex);
		}
		throw new IllegalArgumentException(encrypted ? "the PEM text holds " + ENCRYPTED
				: (other != null) ? "the PEM text holds " + other + ", not a private key"
						: "no unencrypted PRIVATE KEY block in the PEM text");
	}

	private static boolean isPrivateKey(byte[] der) {
		try {
			privateKeyFromDer(der);
			return true;
		}
		catch (IllegalArgumentException ex) {
			return isEncryptedPrivateKey(der);
		}
	}

	/**
	 * Returns the DER encodings of certificates, for building TLS contexts.
	 * @param certificates the certificates
	 * @return the same certificates as an array
	 */
	public static X509Certificate[] toArray(Collection<X509Certificate> certificates) {
		return certificates.toArray(new X509Certificate[0]);
	}

}
