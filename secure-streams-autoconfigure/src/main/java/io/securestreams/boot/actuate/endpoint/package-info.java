/**
 * Actuator endpoints for Secure Streams: {@code securestreams} (live streams) and
 * {@code securestreamspolicy} (the effective policy, overlays and remote fetch).
 */
@NullMarked
package io.securestreams.boot.actuate.endpoint;

import org.jspecify.annotations.NullMarked;
