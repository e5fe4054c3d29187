/**
 * The MQTT 3.1.1 client binding: streams publish to {@code mqtt_topic} and receive what their
 * {@code mqtt_subscribe} filter matches, sharing one broker connection per session, with QoS 1
 * and 2 outcomes reported as QOS_ACK_REMOTE or QOS_NACK_REMOTE, will and birth messages, and
 * PINGREQ keep-alive and validity checks.
 */
@NullMarked
package io.securestreams.protocol.mqtt;

import org.jspecify.annotations.NullMarked;
