/**
 * A loopback harness comparing this runtime's MQTT streams with Eclipse Paho and the HiveMQ MQTT
 * client against one local mosquitto, interleaved in one run.
 */
@NullMarked
package io.securestreams.benchmarks.mqtt;

import org.jspecify.annotations.NullMarked;
