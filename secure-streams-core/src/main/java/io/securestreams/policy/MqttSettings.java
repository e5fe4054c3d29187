package io.securestreams.policy;

import org.jspecify.annotations.Nullable;

/**
 * MQTT settings of a streamtype (the {@code mqtt_*} keys).
 *
 * @param topic the publish topic ({@code mqtt_topic})
 * @param subscribe the subscription filter, wildcards allowed ({@code mqtt_subscribe})
 * @param qos QoS for publish and subscribe, 0..2 ({@code mqtt_qos})
 * @param retain whether publishes are retained ({@code mqtt_retain})
 * @param keepAlive keep-alive seconds, 0 to disable; {@code null} for the runtime default
 * ({@code mqtt_keep_alive})
 * @param cleanStart whether the session starts clean ({@code mqtt_clean_start})
 * @param will the will message ({@code mqtt_will_*})
 * @param birth the message published once per connection before CONNECTED ({@code mqtt_birth_*})
 * @param awsIot whether AWS IoT limits apply ({@code aws_iot})
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record MqttSettings(@Nullable String topic, @Nullable String subscribe, int qos, boolean retain,
		@Nullable Integer keepAlive, boolean cleanStart, MqttMessageSettings will, MqttMessageSettings birth,
		boolean awsIot) {
}
