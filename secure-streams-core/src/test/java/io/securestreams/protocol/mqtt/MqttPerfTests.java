package io.securestreams.protocol.mqtt;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code "perf": true} on MQTT: when the shared broker connection ends, each stream on it whose
 * streamtype asks gets the connection's timings, before DISCONNECTED.
 */
class MqttPerfTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@TempDir
	Path dataDir;

	@Test
	void lostBrokerConnectionIsReportedToPerfStreamsOnly() throws Exception {
		try (MoquetteBroker broker = MoquetteBroker.start(this.dataDir, false, false, null)) {
			PolicyFragment fragment = MqttPolicies.base();
			MqttPolicies.mqtt(fragment, "timed", broker.port()).set(StreamTypeKey.MQTT_SUBSCRIBE, "a/#")
				.set(StreamTypeKey.PERF, true);
			MqttPolicies.mqtt(fragment, "quiet", broker.port()).set(StreamTypeKey.MQTT_SUBSCRIBE, "b/#");
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
				.eventLoopThreads(2)
				.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "perf-client")));
			Events timed = new Events();
			Events quiet = new Events();
			SecureStream timedStream = streams.create("timed", timed);
			timedStream.connect();
			streams.create("quiet", quiet).connect();
			await().atMost(WAIT).until(() -> timed.events.contains("CONNECTED") && quiet.events.contains("CONNECTED"));
			// Moquette 0.17 may drop a connection whose SUBSCRIBE follows CONNACK closely (then the
			// stream reports that attempt's PERF and UNREACHABLE and connects again): look at the
			// connection that was up when the broker stopped.
			int connected = timed.events.lastIndexOf("CONNECTED");
			broker.stop();
			await().atMost(WAIT)
				.until(() -> timed.events.contains("DISCONNECTED") && quiet.events.contains("DISCONNECTED"));
			List<String> lost = List.copyOf(timed.events.subList(connected, timed.events.size()));
			assertThat(lost).as("all events %s", timed.events).containsSubsequence("CONNECTED", "PERF", "DISCONNECTED");
			int perfAt = lost.indexOf("PERF");
			assertThat(lost.get(perfAt + 1)).as("all events %s", timed.events).isEqualTo("DISCONNECTED");
			assertThat(quiet.events).doesNotContain("PERF");
			int earlierReports = (int) timed.events.subList(0, connected).stream().filter("PERF"::equals).count();
			JsonNode perf = JsonMapper.builder().build().readTree(timed.perf.get(earlierReports));
			assertThat(perf.get("peer").asString()).isEqualTo("127.0.0.1");
			assertThat(perf.get("sockconn_us").asLong()).isPositive();
			assertThat(perf.has("prot_specific")).isFalse();
			timedStream.destroy();
		}
	}

	/** Records states and performance JSON in order. */
	static final class Events implements StreamHandler {

		final List<String> events = new CopyOnWriteArrayList<>();

		final List<byte[]> perf = new CopyOnWriteArrayList<>();

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			this.events.add(state.name());
			return StreamResult.OK;
		}

		@Override
		public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
			if (flags == (StreamFlags.SOM | StreamFlags.EOM | StreamFlags.PERF_JSON)) {
				byte[] json = new byte[payload.remaining()];
				payload.get(json);
				this.perf.add(json);
				this.events.add("PERF");
			}
			return StreamResult.OK;
		}

	}

}
