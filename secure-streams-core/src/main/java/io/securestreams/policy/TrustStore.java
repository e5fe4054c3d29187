package io.securestreams.policy;

import java.util.List;

/**
 * A named trust store from the policy's {@code trust_stores} section: the certificates a stream
 * accepts as roots of the server's chain.
 *
 * @param name the name streamtypes use in {@code tls_trust_store}
 * @param certificateNames names of {@code certs} entries, in policy order
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record TrustStore(String name, List<String> certificateNames) {

	/**
	 * Copies the certificate names, unmodifiable, and checks that there is at least one.
	 * @param name the name streamtypes use in {@code tls_trust_store}
	 * @param certificateNames names of {@code certs} entries, in policy order
	 * @throws IllegalArgumentException when there is no certificate name
	 */
	public TrustStore {
		certificateNames = List.copyOf(certificateNames);
		if (certificateNames.isEmpty()) {
			throw new IllegalArgumentException("trust store '" + name + "' needs at least one certificate");
		}
	}

}
