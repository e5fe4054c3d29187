/**
 * Local sinks ({@code "local_sink": true}), as libwebsockets' {@code LWSSSINFLAGS_REGISTER_SINK}:
 * a handler registered for a streamtype serves that streamtype's streams in-process. Each source
 * stream is paired with an accepted sink stream; payload one side sends is handed to the other
 * side's rx, and nothing touches the network.
 */
@NullMarked
package io.securestreams.sink;

import org.jspecify.annotations.NullMarked;
