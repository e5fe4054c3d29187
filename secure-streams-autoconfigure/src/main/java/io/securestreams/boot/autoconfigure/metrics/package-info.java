/**
 * Auto-configuration of the Secure Streams Micrometer metrics.
 */
@NullMarked
package io.securestreams.boot.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
