/**
 * The raw server binding: accepted connections are CONNECTED once the socket (and TLS) is up and
 * exchange bytes without framing.
 */
@NullMarked
package io.securestreams.server.raw;

import org.jspecify.annotations.NullMarked;
