/**
 * The Secure Streams API: a {@link io.securestreams.SecureStreams} context creates
 * {@link io.securestreams.SecureStream}s of named streamtypes; a
 * {@link io.securestreams.StreamHandler} receives their states and payload and supplies payload
 * to send. Everything about how to connect lives in the {@link io.securestreams.policy policy}.
 */
@NullMarked
package io.securestreams;

import org.jspecify.annotations.NullMarked;
