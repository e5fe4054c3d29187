package io.securestreams.protocol.mqtt;

import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Streamtypes that reach one broker, one with its endpoint written as a URL: they share one
 * connection, so the creation check compares them as the connection does (before, it compared
 * the endpoints as written, let the second be created with another keep-alive, and its every
 * attempt then failed against the first one's connection).
 */
class MqttIncompatibleSharingTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	@Test
	void aStreamtypeWrittenAsAUrlThatDisagreesOnKeepAliveFailsAtCreation() {
		SecureStreams streams = start(30);
		for (String name : new String[] { "alpha", "beta" }) {
			assertThatExceptionOfType(SecureStreamsException.class)
				.isThrownBy(() -> streams.create(name, new MqttRecorder()))
				.withMessageContaining("share one MQTT connection to mqtt://127.0.0.1:" + this.broker.port())
				.withMessageContaining("'alpha'")
				.withMessageContaining("'beta'")
				.withMessageContaining("mqtt_keep_alive");
		}
		assertThat(this.broker.connections()).isZero();
	}

	@Test
	void aStreamtypeWrittenAsAUrlThatAgreesSharesTheConnection() {
		SecureStreams streams = start(60);
		MqttRecorder alpha = new MqttRecorder();
		MqttRecorder beta = new MqttRecorder();
		streams.create("alpha", alpha).connect();
		streams.create("beta", beta).connect();
		alpha.await(StreamState.CONNECTED, 1, WAIT);
		beta.await(StreamState.CONNECTED, 1, WAIT);
		assertThat(this.broker.connections()).isEqualTo(1);
	}

	private SecureStreams start(int betaKeepAlive) {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "alpha", this.broker.port()).set(StreamTypeKey.MQTT_KEEP_ALIVE, 60);
		MqttPolicies.mqtt(fragment, "beta", 0)
			.set(StreamTypeKey.ENDPOINT, "mqtt://127.0.0.1:" + this.broker.port())
			.set(StreamTypeKey.PORT, null)
			.set(StreamTypeKey.MQTT_KEEP_ALIVE, betaKeepAlive);
		return this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "url-client")));
	}

}
