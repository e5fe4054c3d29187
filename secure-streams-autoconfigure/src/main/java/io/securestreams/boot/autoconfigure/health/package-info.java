/**
 * Auto-configuration of the Secure Streams health indicator.
 */
@NullMarked
package io.securestreams.boot.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
