package io.securestreams;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.securestreams.auth.AwsCredentials;
import io.securestreams.pki.KeyMaterial;
import io.securestreams.pki.KeyPairCheck;
import io.securestreams.policy.AuthScheme;
import org.jspecify.annotations.Nullable;

/**
 * The system blob store ({@code lws_system} blobs): device credentials and identity that the
 * policy refers to by slot rather than by value, such as the auth token sent in
 * {@code http_auth_header}, the device serial, MQTT credentials and TLS client certificates.
 * Thread-safe; values are copied in and out and never appear in {@link #toString()}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SystemBlobs {

	/** The kinds of blob, as {@code lws_system_blob_item_t}. */
	public enum Type {

		/** Auth tokens: slot 0 is the current access token, slot 1 the refresh credential. */
		AUTH,
		/** TLS client certificate chain (PEM or DER), one per {@code client_cert} index. */
		CLIENT_CERT,
		/** TLS client private key (PEM or DER), one per {@code client_cert} index. */
		CLIENT_KEY,
		/** Device serial, sent in {@code http_dsn_header}. */
		DEVICE_SERIAL,
		/** Firmware version, sent in {@code http_fwv_header}. */
		DEVICE_FW_VERSION,
		/** Device type, sent in {@code http_devtype_header}. */
		DEVICE_TYPE,
		/** NTP server name. */
		NTP_SERVER,
		/** MQTT client id. */
		MQTT_CLIENT_ID,
		/** MQTT user name. */
		MQTT_USERNAME,
		/** MQTT password. */
		MQTT_PASSWORD,
		/**
		 * Extra auth material for {@code auth} schemes: for a scheme's {@code blob} index b, slot
		 * 2b holds the key id and slot 2b+1 the secret (see {@link SystemBlobs#awsCredentials}).
		 */
		EXT_AUTH

	}

	/** A TLS client certificate with its key. */
	public record ClientCertificate(List<X509Certificate> chain, PrivateKey privateKey) {

		@Override
		public String toString() {
			return "ClientCertificate[" + this.chain.get(0).getSubjectX500Principal().getName() + ", key redacted]";
		}

	}

	private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();

	/** Held while a client certificate and its key are stored or read as a pair. */
	private final Object clientCertificates = new Object();

	/** Held while an AWS key id and its secret are stored or read as a pair. */
	private final Object awsKeys = new Object();

	private static String key(Type type, int index) {
		if (index < 0) {
			throw new IllegalArgumentException("blob index must not be negative");
		}
		return type.name() + "#" + index;
	}

	/**
	 * Stores a blob in slot 0.
	 * @param type the blob type
	 * @param value the value
	 * @return this store
	 */
	public SystemBlobs set(Type type, byte[] value) {
		return set(type, 0, value);
	}

	/**
	 * Stores a blob.
	 * @param type the blob type
	 * @param index the slot
	 * @param value the value
	 * @return this store
	 */
	public SystemBlobs set(Type type, int index, byte[] value) {
		this.blobs.put(key(type, index), value.clone());
		return this;
	}

	/**
	 * Stores a text blob in slot 0 as UTF-8.
	 * @param type the blob type
	 * @param value the value
	 * @return this store
	 */
	public SystemBlobs set(Type type, String value) {
		return set(type, 0, value.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Removes a blob.
	 * @param type the blob type
	 * @param index the slot
	 */
	public void clear(Type type, int index) {
		this.blobs.remove(key(type, index));
	}

	/**
	 * Returns a blob.
	 * @param type the blob type
	 * @param index the slot
	 * @return a copy of the value, or {@code null} when unset
	 */
	public byte @Nullable [] get(Type type, int index) {
		byte[] value = this.blobs.get(key(type, index));
		return (value != null) ? value.clone() : null;
	}

	/**
	 * Returns a blob as UTF-8 text.
	 * @param type the blob type
	 * @param index the slot
	 * @return the value, or {@code null} when unset
	 */
	public @Nullable String getString(Type type, int index) {
		byte[] value = this.blobs.get(key(type, index));
		return (value != null) ? new String(value, StandardCharsets.UTF_8) : null;
	}

	/**
	 * Stores the AWS access key a {@code sigv4} auth scheme signs with, as libwebsockets'
	 * {@code lws_ss_sigv4_set_aws_key}. The key replaces the one stored before at once: a request
	 * signed meanwhile uses one or the other, never the new key id with the old secret.
	 * @param blob the scheme's {@code blob} index, 0..3
	 * @param keyId the access key id
	 * @param secret the secret access key
	 * @return this store
	 */
	public SystemBlobs awsCredentials(int blob, String keyId, String secret) {
		checkAuthBlob(blob);
		// Both or neither: a request signed between two separate stores got the new key id with the
		// old secret, which AWS refuses.
		synchronized (this.awsKeys) {
			set(Type.EXT_AUTH, 2 * blob, keyId.getBytes(StandardCharsets.UTF_8));
			return set(Type.EXT_AUTH, 2 * blob + 1, secret.getBytes(StandardCharsets.UTF_8));
		}
	}

	/**
	 * Returns the AWS access key stored for an auth scheme's blob index.
	 * @param blob the scheme's {@code blob} index, 0..3
	 * @return the key, or {@code null} when either part is unset
	 */
	public @Nullable AwsCredentials awsCredentials(int blob) {
		checkAuthBlob(blob);
		String keyId;
		String secret;
		synchronized (this.awsKeys) {
			keyId = getString(Type.EXT_AUTH, 2 * blob);
			secret = getString(Type.EXT_AUTH, 2 * blob + 1);
		}
		return (keyId != null && secret != null) ? new AwsCredentials(keyId, secret) : null;
	}

	private static void checkAuthBlob(int blob) {
		if (blob < 0 || blob > AuthScheme.MAX_BLOB) {
			throw new IllegalArgumentException("auth blob index must be 0.." + AuthScheme.MAX_BLOB + ", got " + blob);
		}
	}

	/**
	 * Stores a TLS client certificate for {@code client_cert} index {@code index}, checking that
	 * both parts can be read and that the key belongs to the leaf certificate. The pair replaces
	 * the one stored before at once: a connection never gets the new certificate with the old key.
	 * @param index the policy's {@code client_cert} value
	 * @param certificateChain the certificate chain, PEM or DER, leaf first
	 * @param privateKey the private key, PEM or DER
	 * @return this store
	 * @throws IllegalArgumentException if either part cannot be read, or the key is not the
	 * certificate's
	 */
	public SystemBlobs clientCertificate(int index, byte[] certificateChain, byte[] privateKey) {
		read(index, certificateChain, privateKey, true);
		// Both or neither: a connection attempt reading between two separate stores would pair
		// the new certificate with the old key.
		synchronized (this.clientCertificates) {
			set(Type.CLIENT_CERT, index, certificateChain);
			return set(Type.CLIENT_KEY, index, privateKey);
		}
	}

	/**
	 * Returns the TLS client certificate for a {@code client_cert} index.
	 * @param index the index
	 * @return the certificate and key, or {@code null} when either is unset
	 * @throws IllegalArgumentException if either part, stored with {@link #set(Type, int, byte[])},
	 * cannot be read; the message names the index and the part
	 */
	public @Nullable ClientCertificate clientCertificate(int index) {
		byte[] chain;
		byte[] key;
		synchronized (this.clientCertificates) {
			chain = get(Type.CLIENT_CERT, index);
			key = get(Type.CLIENT_KEY, index);
		}
		if (chain == null || key == null) {
			return null;
		}
		// The pair is not checked again: that costs a signature on every new connection.
		return read(index, chain, key, false);
	}

	/**
	 * Reads a client certificate pair, with messages that name the index and the part at fault: a
	 * pair stored slot by slot with {@link #set(Type, int, byte[])} is first read when a
	 * connection needs it, and that connection's failure must say which blob is wrong.
	 */
	private static ClientCertificate read(int index, byte[] certificateChain, byte[] privateKey, boolean checkPair) {
		List<X509Certificate> chain;
		PrivateKey key;
		try {
			chain = KeyMaterial.certificates(certificateChain);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(
					"client certificate " + index + ": the certificate chain is unreadable: " + ex.getMessage(), ex);
		}
		try {
			key = KeyMaterial.privateKey(privateKey);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(
					"client certificate " + index + ": the private key is unreadable: " + ex.getMessage(), ex);
		}
		if (checkPair && (chain.isEmpty() || !KeyPairCheck.matches(chain.get(0).getPublicKey(), key))) {
			throw new IllegalArgumentException("client certificate " + index + ": the private key does not belong to "
					+ (chain.isEmpty() ? "any certificate (the chain is empty)"
							: "the leaf certificate " + chain.get(0).getSubjectX500Principal()));
		}
		return new ClientCertificate(chain, key);
	}

	@Override
	public String toString() {
		return "SystemBlobs" + this.blobs.keySet() + " (values redacted)";
	}

}
