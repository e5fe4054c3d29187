/**
 * The stream runtime's implementation: the context internals, the state reporting every stream
 * shares, and the client stream's connection sequencer (connect, retry with backoff, timeouts).
 * Not API: other packages of this project use it, applications should not.
 */
@NullMarked
package io.securestreams.internal;

import org.jspecify.annotations.NullMarked;
