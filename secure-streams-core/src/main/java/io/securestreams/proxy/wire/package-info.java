/**
 * The Secure Streams serialization wire format spoken between a proxied client and a proxy:
 * {@code type(1) | length(2, big-endian) | body} frames, their typed messages, a decoder and an
 * encoder.
 */
@NullMarked
package io.securestreams.proxy.wire;

import org.jspecify.annotations.NullMarked;
