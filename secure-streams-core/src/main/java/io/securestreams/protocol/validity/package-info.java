/**
 * Connection validity checking shared by protocol bindings: after a quiet period a binding sends its
 * protocol's keepalive (a ws PING, an MQTT PINGREQ), and hangs the connection up when nothing proves
 * it alive in time (the retry policy's {@code svalidping} and {@code svalidhup}).
 */
@NullMarked
package io.securestreams.protocol.validity;

import org.jspecify.annotations.NullMarked;
