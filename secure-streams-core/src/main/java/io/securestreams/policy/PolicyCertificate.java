package io.securestreams.policy;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;

import io.securestreams.pki.KeyMaterial;
import org.jspecify.annotations.Nullable;

/**
 * A named entry of the policy's {@code certs} section: base64 DER that decodes either to an
 * X.509 certificate or, for a server key, to a private key. Key material never appears in
 * {@link #toString()}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class PolicyCertificate {

	/** What a {@code certs} entry decoded to. */
	public enum Kind {

		/** An X.509 certificate. */
		CERTIFICATE,

		/** A private key (PKCS#8, PKCS#1 or SEC1). */
		PRIVATE_KEY

	}

	private final String name;

	private final byte[] der;

	private final @Nullable X509Certificate certificate;

	private final @Nullable PrivateKey privateKey;

	private PolicyCertificate(String name, byte[] der, @Nullable X509Certificate certificate,
			@Nullable PrivateKey privateKey) {
		this.name = name;
		this.der = der;
		this.certificate = certificate;
		this.privateKey = privateKey;
	}

	/**
	 * Decodes a {@code certs} entry.
	 * @param name the entry name
	 * @param der the DER bytes (the base64-decoded policy value)
	 * @return the decoded entry
	 * @throws IllegalArgumentException if the bytes are neither a certificate nor a private key
	 */
	public static PolicyCertificate fromDer(String name, byte[] der) {
		byte[] copy = der.clone();
		try {
			return new PolicyCertificate(name, copy, KeyMaterial.certificateFromDer(copy), null);
		}
		catch (IllegalArgumentException notCertificate) {
			try {
				return new PolicyCertificate(name, copy, null, KeyMaterial.privateKeyFromDer(copy));
			}
			catch (IllegalArgumentException notKey) {
				int after = KeyMaterial.bytesAfterDerCertificate(copy);
				if (after > 0) {
					throw new IllegalArgumentException("is a DER certificate followed by " + after + " more bytes, as "
							+ "when several are saved in one DER file: an entry is one certificate");
				}
				throw new IllegalArgumentException(KeyMaterial.isEncryptedPrivateKey(copy) ? "is " + notKey.getMessage()
						: "is neither a DER X.509 certificate nor a DER private key");
			}
		}
	}

	/**
	 * Returns the entry name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Returns what the entry decoded to.
	 * @return the kind
	 */
	public Kind kind() {
		return (this.certificate != null) ? Kind.CERTIFICATE : Kind.PRIVATE_KEY;
	}

	/**
	 * Returns a copy of the DER bytes.
	 * @return the DER encoding
	 */
	public byte[] der() {
		return this.der.clone();
	}

	/**
	 * Returns the certificate.
	 * @return the certificate
	 * @throws IllegalStateException if this entry is a private key
	 */
	public X509Certificate certificate() {
		if (this.certificate == null) {
			throw new IllegalStateException("certs entry '" + this.name + "' is a private key, not a certificate");
		}
		return this.certificate;
	}

	/**
	 * Returns the private key.
	 * @return the key
	 * @throws IllegalStateException if this entry is a certificate
	 */
	public PrivateKey privateKey() {
		if (this.privateKey == null) {
			throw new IllegalStateException("certs entry '" + this.name + "' is a certificate, not a private key");
		}
		return this.privateKey;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (other instanceof PolicyCertificate that) && this.name.equals(that.name)
				&& Arrays.equals(this.der, that.der);
	}

	@Override
	public int hashCode() {
		return 31 * this.name.hashCode() + Arrays.hashCode(this.der);
	}

	@Override
	public String toString() {
		if (this.certificate != null) {
			return "PolicyCertificate[" + this.name + ": CERTIFICATE "
					+ this.certificate.getSubjectX500Principal().getName() + "]";
		}
		return "PolicyCertificate[" + this.name + ": PRIVATE_KEY (redacted)]";
	}

}
