/**
 * Auto-configuration of the Secure Streams actuator endpoints.
 */
@NullMarked
package io.securestreams.boot.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
