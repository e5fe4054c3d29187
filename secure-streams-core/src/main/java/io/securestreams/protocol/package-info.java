/**
 * The protocol binding SPI: what a wire protocol (h1, ws, raw, mqtt) implements to carry a
 * stream, and the per-attempt {@link io.securestreams.protocol.StreamLink} through which it
 * reports states and payload to the runtime. Netty buffers stop here: the runtime hands user
 * code JDK {@link java.nio.ByteBuffer}s only.
 */
@NullMarked
package io.securestreams.protocol;

import org.jspecify.annotations.NullMarked;
