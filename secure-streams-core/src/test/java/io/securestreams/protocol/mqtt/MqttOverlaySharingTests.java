package io.securestreams.protocol.mqtt;

import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.overlay.ActivePolicy;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Policy changes that touch the connection-level settings of streamtypes sharing an MQTT
 * connection: one that would make two of them disagree is refused, with the policy and the
 * streams left as they were (before, it was taken, and the changed streamtype's live stream could
 * never join the connection the other still held: it went through UNREACHABLE for ever); one that
 * changes them alike is taken, and both streams connect again under it.
 */
class MqttOverlaySharingTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	private final MqttRecorder alpha = new MqttRecorder();

	private final MqttRecorder beta = new MqttRecorder();

	@Test
	void anOverlayThatMakesSharingStreamtypesDisagreeIsRefused() {
		SecureStreams streams = startBoth(MqttPolicies.base());
		ActivePolicy before = streams.activePolicy();
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> streams.applyOverlay("keepalive", "{\"s\": [{\"alpha\": {\"mqtt_keep_alive\": 30}}]}"))
			.satisfies((ex) -> assertThat(ex.problems()).singleElement()
				.satisfies((problem) -> assertThat(problem.format()).startsWith("keepalive:1:9: s[0].alpha: ")
					.contains("streamtypes 'alpha' and 'beta' share one MQTT connection")
					.contains("mqtt_keep_alive (30 vs 60)")));
		assertThat(streams.activePolicy()).isSameAs(before);
		Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
			assertThat(this.alpha.stateNames()).doesNotContain("DISCONNECTED");
			assertThat(this.beta.stateNames()).doesNotContain("DISCONNECTED");
		});
	}

	@Test
	void theRefusalIsLocatedAtTheStreamtypeTheOverlayChanged() {
		SecureStreams streams = startBoth(MqttPolicies.base());
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> streams.applyOverlay("will", "{\"s\": [\n  {\"gamma\": {}},\n  {\"beta\": {\n"
					+ "    \"mqtt_will_topic\": \"dev/gone\", \"mqtt_will_message\": \"bye\"}}]}"))
			.satisfies((ex) -> assertThat(ex.problems()).singleElement()
				.satisfies((problem) -> assertThat(problem.format()).startsWith("will:3:4: s[1].beta: ")
					.contains("streamtypes 'alpha' and 'beta' share one MQTT connection")));
	}

	@Test
	void anOverlayThatChangesSharingStreamtypesAlikeIsTaken() {
		SecureStreams streams = startBoth(MqttPolicies.base());
		streams.applyOverlay("keepalive",
				"{\"s\": [{\"alpha\": {\"mqtt_keep_alive\": 30}}, {\"beta\": {\"mqtt_keep_alive\": 30}}]}");
		this.alpha.await(StreamState.CONNECTED, 2, WAIT);
		this.beta.await(StreamState.CONNECTED, 2, WAIT);
		assertThat(streams.policy().streamType("alpha").mqtt().keepAlive()).isEqualTo(30);
	}

	@Test
	void aDisagreementThePolicyAlreadyHadDoesNotRefuseOtherChanges() {
		PolicyFragment fragment = MqttPolicies.base();
		// Two streamtypes that would share a connection to the broker by another name, and disagree.
		MqttPolicies.mqtt(fragment, "gamma", this.broker.port())
			.set(StreamTypeKey.ENDPOINT, "localhost")
			.set(StreamTypeKey.MQTT_KEEP_ALIVE, 30);
		MqttPolicies.mqtt(fragment, "delta", this.broker.port()).set(StreamTypeKey.ENDPOINT, "localhost");
		SecureStreams streams = startBoth(fragment);
		streams.applyOverlay("subscribe", "{\"s\": [{\"beta\": {\"mqtt_subscribe\": \"b/other\"}}]}");
		this.beta.await(StreamState.CONNECTED, 2, WAIT);
		assertThat(streams.policy().streamType("beta").mqtt().subscribe()).isEqualTo("b/other");
	}

	private SecureStreams startBoth(PolicyFragment fragment) {
		MqttPolicies.mqtt(fragment, "alpha", this.broker.port()).set(StreamTypeKey.MQTT_SUBSCRIBE, "a/down");
		MqttPolicies.mqtt(fragment, "beta", this.broker.port()).set(StreamTypeKey.MQTT_SUBSCRIBE, "b/down");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "overlay-client")));
		streams.create("alpha", this.alpha).connect();
		streams.create("beta", this.beta).connect();
		this.alpha.await(StreamState.CONNECTED, 1, WAIT);
		this.beta.await(StreamState.CONNECTED, 1, WAIT);
		return streams;
	}

}
