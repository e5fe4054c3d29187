package io.securestreams.testsupport;

import java.util.List;
import java.util.function.Consumer;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.TrustStore;

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

}
