package io.securestreams.protocol.mqtt;

import java.util.Arrays;
import java.util.List;

import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.TestPolicies;

/**
 * Policy fragments for MQTT tests: the shared test retry schemes plus {@code forever}, which
 * retries every 100 to 300 ms without giving up, and {@code ping}, which also checks the
 * connection with a PINGREQ after 1 s and hangs up after 2 s.
 */
final class MqttPolicies {

	private MqttPolicies() {
	}

	static PolicyFragment base() {
		PolicyFragment fragment = TestPolicies.base();
		fragment.retry(new RetryPolicy("forever", List.of(100, 200, 300), RetryPolicy.CONCEAL_FOREVER, 0, 0, 0));
		fragment.retry(new RetryPolicy("ping", List.of(100), RetryPolicy.CONCEAL_FOREVER, 0, 1, 2));
		return fragment;
	}

	/** An MQTT client streamtype on 127.0.0.1 that reconnects forever. */
	static StreamTypePolicy.Builder mqtt(PolicyFragment fragment, String name, int port) {
		return fragment.streamType(name)
			.set(StreamTypeKey.PROTOCOL, Protocol.MQTT)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, port)
			.set(StreamTypeKey.RETRY, "forever");
	}

	static List<MetadataDeclaration> metadata(String... names) {
		return Arrays.stream(names).map((name) -> new MetadataDeclaration(name, "")).toList();
	}

}
