package io.securestreams.policy;

import org.jspecify.annotations.Nullable;

/**
 * TLS settings of a streamtype.
 *
 * @param enabled whether the stream travels in TLS ({@code tls})
 * @param trustStore the trust store that validates the server ({@code tls_trust_store}); the JVM's
 * default trust store when {@code null}
 * @param clientCert index of the client certificate in the system blob store
 * ({@code client_cert}), or {@code null} for none
 * @param serverCert for a server, the {@code certs} entry with its certificate ({@code server_cert})
 * @param serverKey for a server, the {@code certs} entry with its private key ({@code server_key})
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record TlsSettings(boolean enabled, @Nullable String trustStore, @Nullable Integer clientCert,
		@Nullable String serverCert, @Nullable String serverKey) {
}
