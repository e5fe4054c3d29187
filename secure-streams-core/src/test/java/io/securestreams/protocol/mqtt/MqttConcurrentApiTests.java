package io.securestreams.protocol.mqtt;

import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStreams;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.ApiHammer;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The threading promises of docs/streams.md for MQTT streams sharing one broker connection
 * (embedded Moquette) while several threads call their API at random.
 */
class MqttConcurrentApiTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	static final MoquetteExtension broker = new MoquetteExtension(false);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void manyThreadsCallingTheApiOnMqttStreamsKeepCallbacksApartAndLoseNoRequest() throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "m", broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "hammer/up")
			.set(StreamTypeKey.MQTT_SUBSCRIBE, "hammer/down")
			.set(StreamTypeKey.MQTT_QOS, 1)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "")));
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "ss-hammer");
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2).systemBlobs(blobs));
		ApiHammer hammer = new ApiHammer(streams, "m", 12);
		hammer.callAtRandom(4, Duration.ofSeconds(3));
		hammer.assertEveryLiveStreamStillSends(WAIT);
		streams.close();
		hammer.assertAllEndedCleanly(WAIT);
	}

}
