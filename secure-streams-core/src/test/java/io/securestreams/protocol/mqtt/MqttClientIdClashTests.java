package io.securestreams.protocol.mqtt;

import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.TrustStore;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two streamtypes that reach the same broker with the same client id from the system blobs, but
 * name different trust stores (holding the same CA), so they cannot share a connection: the
 * second connection with that client id is refused with the reason, so that the broker does not
 * drop the first for it (before, the two knocked each other off for ever); once the first
 * connection's streams are gone, the other stream connects by backoff.
 */
class MqttClientIdClashTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	static final MoquetteExtension broker = new MoquetteExtension(true);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aSecondConnectionWithTheClientIdIsRefusedUntilTheFirstIsGone() {
		PolicyFragment fragment = MqttPolicies.base();
		fragment.trustStore(new TrustStore("test_ca_again", List.of("test_ca_cert")));
		for (String name : List.of("alpha", "beta")) {
			MqttPolicies.mqtt(fragment, name, broker.tlsPort())
				.set(StreamTypeKey.TLS, true)
				.set(StreamTypeKey.TLS_TRUST_STORE, name.equals("alpha") ? "test_ca" : "test_ca_again")
				.set(StreamTypeKey.CLIENT_CERT, 0)
				.set(StreamTypeKey.MQTT_SUBSCRIBE, name + "/down");
		}
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(2)
			.systemBlobs(MqttTlsTests.clientCertificate("clash-client")));
		MqttRecorder alpha = new MqttRecorder();
		MqttRecorder beta = new MqttRecorder();
		try (LogCapture logs = new LogCapture()) {
			SecureStream first = streams.create("alpha", alpha);
			first.connect();
			alpha.await(StreamState.CONNECTED, 1, WAIT);
			streams.create("beta", beta).connect();
			beta.await(StreamState.UNREACHABLE, 2, WAIT);
			Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(6)).untilAsserted(() -> {
				assertThat(alpha.stateNames()).as("alpha").doesNotContain("DISCONNECTED");
				assertThat(beta.stateNames()).as("beta").doesNotContain("CONNECTED");
			});
			assertThat(logs.warnings()).anySatisfy((line) -> assertThat(line)
				.contains("MQTT client id 'clash-client' is in use by another connection of this context"));
			first.destroy();
			beta.await(StreamState.CONNECTED, 1, WAIT);
		}
	}

}
