package io.securestreams.protocol.mqtt;

import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.internal.AbstractStream;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.TcpRelay;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An overlay that turns a live stream's streamtype into an MQTT one: MQTT streams of a context
 * share their broker connection on one event loop, and a stream created on another loop for its
 * old protocol could never join it: before, it went UNREACHABLE for ever, each attempt refused
 * for the client id in use though the settings agreed; now it is destroyed.
 */
class MqttProtocolChangeLoopTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	static final MoquetteExtension broker = new MoquetteExtension(false);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aStreamWhoseStreamtypeTurnsToMqttSharesTheBrokerConnection() {
		TcpRelay relay = this.resources.closing(new TcpRelay(broker.port()));
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "alpha", relay.port());
		TestPolicies.h1(fragment.streamType("beta"), "127.0.0.1", 9, "GET", "/");
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "ss-turned");
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(3).systemBlobs(blobs));
		MqttRecorder first = new MqttRecorder();
		SecureStream alpha = streams.create("alpha", first);
		alpha.connect();
		first.await(StreamState.CONNECTED, 1, WAIT);
		SecureStream beta = null;
		for (int i = 0; i < 3 && beta == null; i++) {
			SecureStream created = streams.create("beta", new MqttRecorder());
			if (((AbstractStream) created).eventLoop() != ((AbstractStream) alpha).eventLoop()) {
				beta = created;
			}
			else {
				created.destroy();
			}
		}
		assertThat(beta).as("an h1 stream on another loop than the MQTT one").isNotNull();
		MqttRecorder second = new MqttRecorder();
		beta.changeHandler(second);
		streams.applyOverlay("turn", "{\"s\": [{\"beta\": {\"protocol\": \"mqtt\", \"endpoint\": \"127.0.0.1\", "
				+ "\"port\": " + relay.port() + ", \"retry\": \"forever\", \"mqtt_subscribe\": \"turned/#\"}}]}");
		// It could never connect from its loop (each attempt refused for the client id in use):
		// it ends, as a stream whose streamtype turned into a server or a local sink does.
		assertThat(beta.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(second.stateNames()).endsWith("DESTROYING");
		// A new stream of the streamtype lives on the MQTT loop and shares the connection.
		MqttRecorder third = new MqttRecorder();
		streams.create("beta", third).connect();
		third.await(StreamState.CONNECTED, 1, WAIT);
		Awaitility.await()
			.during(Duration.ofSeconds(1))
			.atMost(Duration.ofSeconds(3))
			.until(() -> !first.stateNames().contains("DISCONNECTED"));
		assertThat(relay.accepted()).isEqualTo(1);
	}

}
