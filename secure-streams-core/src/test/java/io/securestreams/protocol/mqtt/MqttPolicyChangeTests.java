package io.securestreams.protocol.mqtt;

import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.TcpRelay;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An overlay that moves an MQTT streamtype to another broker while streams of it are live.
 */
class MqttPolicyChangeTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	// More loops than one, so that streams could land on different ones.
	private static final int LOOPS = 3;

	@RegisterExtension
	static final MoquetteExtension broker = new MoquetteExtension(false);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private static Policy policy(int port) {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "alpha", port);
		return fragment.build();
	}

	@Test
	void aConnectedStreamOfAChangedStreamtypeConnectsAgainAtOnce() {
		TcpRelay before = this.resources.closing(new TcpRelay(broker.port()));
		TcpRelay after = this.resources.closing(new TcpRelay(broker.port()));
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "ss-again");
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(policy(before.port())).eventLoopThreads(1).systemBlobs(blobs));
		MqttRecorder recorder = new MqttRecorder();
		streams.create("alpha", recorder).connect();
		recorder.await(StreamState.CONNECTED, 1, WAIT);
		streams.applyOverlay("move", "{\"s\": [{\"alpha\": {\"port\": " + after.port() + "}}]}");
		// Not opportunistic: the connection dropped for the change is made again at once
		// (docs/streams.md), under the new policy, without the application asking.
		recorder.await(StreamState.CONNECTED, 2, WAIT);
		assertThat(recorder.stateNames()).containsSubsequence("CONNECTED", "DISCONNECTED", "CONNECTING", "CONNECTED");
		assertThat(after.accepted()).isEqualTo(1);
	}

	@Test
	void streamsOfAStreamtypeMovedByAnOverlayStillShareOneConnection() {
		TcpRelay before = this.resources.closing(new TcpRelay(broker.port()));
		TcpRelay after = this.resources.closing(new TcpRelay(broker.port()));
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "ss-moved");
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(policy(before.port())).eventLoopThreads(LOOPS).systemBlobs(blobs));
		MqttRecorder first = new MqttRecorder();
		SecureStream firstStream = streams.create("alpha", first);
		firstStream.connect();
		first.await(StreamState.CONNECTED, 1, WAIT);
		streams.applyOverlay("move", "{\"s\": [{\"alpha\": {\"port\": " + after.port() + "}}]}");
		// The live stream connects again at once, to the new broker address.
		first.await(StreamState.CONNECTED, 2, WAIT);
		assertThat(after.accepted()).isEqualTo(1);
		MqttRecorder second = new MqttRecorder();
		streams.create("alpha", second).connect();
		second.await(StreamState.CONNECTED, 1, WAIT);
		// One streamtype, one endpoint, one client id: one connection (docs/mqtt.md).
		assertThat(after.accepted()).isEqualTo(1);
		assertThat(after.openConnections()).isEqualTo(1);
	}

}
