/**
 * Micrometer metrics of Secure Streams, per streamtype.
 */
@NullMarked
package io.securestreams.boot.metrics;

import org.jspecify.annotations.NullMarked;
