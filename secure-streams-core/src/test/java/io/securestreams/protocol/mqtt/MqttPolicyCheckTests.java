package io.securestreams.protocol.mqtt;

import io.securestreams.SecureStreamsException;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The checks made when an MQTT stream is created.
 */
class MqttPolicyCheckTests {

	private static Policy twoOn(int alphaPort, int betaPort, String alphaBirth, String betaBirth) {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "alpha", alphaPort).set(StreamTypeKey.MQTT_BIRTH_TOPIC, alphaBirth);
		MqttPolicies.mqtt(fragment, "beta", betaPort).set(StreamTypeKey.MQTT_BIRTH_TOPIC, betaBirth);
		return fragment.build();
	}

	@Test
	void streamtypesOnTheSameBrokerMustAgreeOnTheBirthMessage() {
		Policy policy = twoOn(1883, 1883, "status/a", "status/b");
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> MqttPolicyCheck.check(policy, policy.streamType("beta")))
			.withMessageContaining("'beta' and 'alpha'")
			.withMessageContaining("the birth message");
	}

	@Test
	void streamtypesOnDifferentBrokersNeedNotAgree() {
		Policy policy = twoOn(1883, 1884, "status/a", "status/b");
		assertThatNoException().isThrownBy(() -> MqttPolicyCheck.check(policy, policy.streamType("alpha")));
	}

	@Test
	void theDefaultPortCountsAsTheSamePort() {
		PolicyFragment fragment = MqttPolicies.base();
		fragment.streamType("alpha").set(StreamTypeKey.PROTOCOL, Protocol.MQTT)
			.set(StreamTypeKey.ENDPOINT, "broker.example")
			.set(StreamTypeKey.MQTT_CLEAN_START, true);
		MqttPolicies.mqtt(fragment, "beta", 1883).set(StreamTypeKey.ENDPOINT, "broker.example");
		Policy policy = fragment.build();
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> MqttPolicyCheck.check(policy, policy.streamType("alpha")))
			.withMessageContaining("mqtt_clean_start (true vs false)");
	}

	@Test
	void topicsMayOnlyNameDeclaredMetadata() {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", 1883).set(StreamTypeKey.MQTT_TOPIC, "d/${serial}/up");
		Policy policy = fragment.build();
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> MqttPolicyCheck.check(policy, policy.streamType("device")))
			.withMessageContaining("streamtype 'device': mqtt_topic: '${serial}'");
		fragment.streamType("device").set(StreamTypeKey.METADATA, MqttPolicies.metadata("serial"));
		Policy declared = fragment.build();
		assertThatNoException().isThrownBy(() -> MqttPolicyCheck.check(declared, declared.streamType("device")));
	}

	@Test
	void filtersAndTopicNamesAreCheckedWhenTheyHaveNoMetadata() {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "bad-filter", 1883).set(StreamTypeKey.MQTT_SUBSCRIBE, "a/#/b");
		MqttPolicies.mqtt(fragment, "bad-topic", 1884).set(StreamTypeKey.MQTT_TOPIC, "a/+/b");
		MqttPolicies.mqtt(fragment, "no-subscription", 1885).set(StreamTypeKey.MQTT_SUBSCRIBE, "");
		Policy policy = fragment.build();
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> MqttPolicyCheck.check(policy, policy.streamType("bad-filter")))
			.withMessageContaining("mqtt_subscribe");
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> MqttPolicyCheck.check(policy, policy.streamType("bad-topic")))
			.withMessageContaining("mqtt_topic");
		assertThatNoException().isThrownBy(() -> MqttPolicyCheck.check(policy, policy.streamType("no-subscription")));
	}

	@Test
	void awsIotLimitsStaticTopicsAndFilters() {
		PolicyFragment fragment = MqttPolicies.base();
		String tooLong = "t/" + "x".repeat(255);
		MqttPolicies.mqtt(fragment, "long-topic", 1883).set(StreamTypeKey.MQTT_TOPIC, tooLong);
		MqttPolicies.mqtt(fragment, "long-filter", 1884).set(StreamTypeKey.MQTT_SUBSCRIBE, tooLong);
		MqttPolicies.mqtt(fragment, "slashes", 1885).set(StreamTypeKey.MQTT_TOPIC, "a/b/c/d/e/f/g/h/i");
		MqttPolicies.mqtt(fragment, "reserved", 1886).set(StreamTypeKey.MQTT_SUBSCRIBE, "$aws/things/dev1/jobs/#");
		Policy plain = fragment.build();
		for (String name : new String[] { "long-topic", "long-filter", "slashes" }) {
			assertThatNoException().isThrownBy(() -> MqttPolicyCheck.check(plain, plain.streamType(name)));
		}
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> MqttPolicyCheck.check(plain, plain.streamType("reserved")))
			.withMessageContaining("streamtype 'reserved': mqtt_subscribe")
			.withMessageContaining("need aws_iot");
		for (String name : new String[] { "long-topic", "long-filter", "slashes", "reserved" }) {
			fragment.streamType(name).set(StreamTypeKey.AWS_IOT, true);
		}
		Policy aws = fragment.build();
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> MqttPolicyCheck.check(aws, aws.streamType("long-topic")))
			.withMessageContaining("streamtype 'long-topic': mqtt_topic")
			.withMessageContaining("at most 256");
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> MqttPolicyCheck.check(aws, aws.streamType("long-filter")))
			.withMessageContaining("streamtype 'long-filter': mqtt_subscribe");
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> MqttPolicyCheck.check(aws, aws.streamType("slashes")))
			.withMessageContaining("at most 7");
		assertThatNoException().isThrownBy(() -> MqttPolicyCheck.check(aws, aws.streamType("reserved")));
	}

}
