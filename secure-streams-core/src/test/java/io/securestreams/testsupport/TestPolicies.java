package io.securestreams.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyCertificate;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.TrustStore;
import io.securestreams.policy.json.PolicyParser;

/**
 * Builds small policies for runtime tests: a fast retry scheme {@code fast}, a scheme
 * {@code none} that never retries, and the test CA as trust store {@code test_ca}.
 */
public final class TestPolicies {

	private TestPolicies() {
	}

	/**
	 * Builds a policy with one streamtype.
	 * @param name the streamtype name
	 * @param keys sets the streamtype's keys
	 * @return the policy
	 */
	public static Policy with(String name, Consumer<StreamTypePolicy.Builder> keys) {
		PolicyFragment fragment = base();
		keys.accept(fragment.streamType(name));
		return fragment.build();
	}

	/**
	 * Returns the policy of libwebsockets' sink example: one streamtype, {@code sink_hello_world},
	 * served by a local sink.
	 * @return the policy
	 */
	public static Policy helloWorldSink() {
		String json = "{\"release\": \"01234567\", \"product\": \"myproduct\", \"schema-version\": 1,"
				+ " \"s\": [{\"sink_hello_world\": {\"local_sink\": true}}]}";
		return new PolicyParser().parse("<sink>", json.getBytes(StandardCharsets.UTF_8)).policy();
	}

	/**
	 * Returns a fragment with the shared retry schemes and trust store.
	 * @return the fragment
	 */
	public static PolicyFragment base() {
		PolicyFragment fragment = new PolicyFragment().release("test");
		fragment.retry(new RetryPolicy("fast", List.of(50, 100), 3, 0, 0, 0));
		fragment.retry(new RetryPolicy("once", List.of(50), 1, 0, 0, 0));
		fragment.certificate(TestPki.caEntry("test_ca_cert"));
		fragment.trustStore(new TrustStore("test_ca", List.of("test_ca_cert")));
		return fragment;
	}

	/**
	 * Sets an h1 client streamtype's usual keys. When proxied, the proxy pauses the onward
	 * connection once 16 KiB wait for the client (without these keys it drops the stream, as
	 * libwebsockets' proxy does, when its 32 KiB buffer overflows); direct streams ignore them.
	 * @param builder the streamtype
	 * @param host the endpoint
	 * @param port the port
	 * @param method the http method
	 * @param url the http url
	 * @return the builder
	 */
	public static StreamTypePolicy.Builder h1(StreamTypePolicy.Builder builder, String host, int port, String method,
			String url) {
		return builder.set(StreamTypeKey.ENDPOINT, host)
			.set(StreamTypeKey.PORT, port)
			.set(StreamTypeKey.HTTP_METHOD, method)
			.set(StreamTypeKey.HTTP_URL, url)
			.set(StreamTypeKey.OPPORTUNISTIC, true)
			.set(StreamTypeKey.RETRY, "fast")
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_ON_ABOVE, 16384L)
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_OFF_BELOW, 4096L);
	}

	/**
	 * Sets a ws client streamtype's usual keys: a server on 127.0.0.1, retried with {@code fast}.
	 * @param builder the streamtype
	 * @param port the port
	 * @param url the url of the upgrade request
	 * @return the builder
	 */
	public static StreamTypePolicy.Builder ws(StreamTypePolicy.Builder builder, int port, String url) {
		return builder.set(StreamTypeKey.PROTOCOL, Protocol.WS)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, port)
			.set(StreamTypeKey.HTTP_URL, url)
			.set(StreamTypeKey.RETRY, "fast");
	}

	/**
	 * Sets a raw client streamtype's usual keys: a peer on 127.0.0.1, retried with {@code fast}.
	 * @param builder the streamtype
	 * @param port the peer's port
	 * @return the builder
	 */
	public static StreamTypePolicy.Builder raw(StreamTypePolicy.Builder builder, int port) {
		return builder.set(StreamTypeKey.PROTOCOL, Protocol.RAW)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, port)
			.set(StreamTypeKey.RETRY, "fast");
	}

	/**
	 * Adds the test PKI's localhost certificate and key as {@code certs} entries
	 * {@code srv_cert} and {@code srv_key}.
	 * @param fragment the fragment
	 * @return the fragment
	 */
	public static PolicyFragment serverCertificate(PolicyFragment fragment) {
		try {
			fragment.certificate(PolicyCertificate.fromDer("srv_cert", TestPki.server().getCertificate().getEncoded()));
			fragment.certificate(PolicyCertificate.fromDer("srv_key",
					TestPki.server().getKeyPair().getPrivate().getEncoded()));
			return fragment;
		}
		catch (java.security.cert.CertificateEncodingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Sets a server streamtype's usual keys: listens on 127.0.0.1, ephemeral port, declares
	 * {@code path}, {@code method} and {@code mime} (mapped to {@code content-type:}).
	 * @param builder the streamtype
	 * @param protocol the protocol
	 * @param tls whether to serve TLS with {@link #serverCertificate}'s entries
	 * @return the builder
	 */
	public static StreamTypePolicy.Builder server(StreamTypePolicy.Builder builder, Protocol protocol, boolean tls) {
		builder.set(StreamTypeKey.SERVER, true)
			.set(StreamTypeKey.PROTOCOL, protocol)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, 0)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("path", ""),
					new MetadataDeclaration("method", ""), new MetadataDeclaration("mime", "content-type:"),
					new MetadataDeclaration("name", "")));
		if (tls) {
			builder.set(StreamTypeKey.TLS, true)
				.set(StreamTypeKey.SERVER_CERT, "srv_cert")
				.set(StreamTypeKey.SERVER_KEY, "srv_key");
		}
		return builder;
	}

	/**
	 * Binds a streamtype to a {@code sigv4} auth scheme: declares metadata {@code region} and
	 * {@code service} (named by {@code aws_region} and {@code aws_service}), {@code date} mapped to
	 * {@code x-amz-date:} and {@code sha} mapped to {@code x-amz-content-sha256:}.
	 * @param builder the streamtype
	 * @param scheme the name of an {@code auth} entry of type {@code sigv4}
	 * @return the builder
	 */
	public static StreamTypePolicy.Builder sigv4(StreamTypePolicy.Builder builder, String scheme) {
		return builder.set(StreamTypeKey.USE_AUTH, scheme)
			.set(StreamTypeKey.AWS_REGION, "region")
			.set(StreamTypeKey.AWS_SERVICE, "service")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("region", ""),
					new MetadataDeclaration("service", ""), new MetadataDeclaration("date", "x-amz-date:"),
					new MetadataDeclaration("sha", "x-amz-content-sha256:")));
	}

}
