/**
 * The proxied client: streams of a context created with
 * {@link io.securestreams.SecureStreams#proxiedBuilder(String)}, fulfilled by a Secure Streams
 * proxy over the serialization protocol.
 */
@NullMarked
package io.securestreams.proxy.client;

import org.jspecify.annotations.NullMarked;
