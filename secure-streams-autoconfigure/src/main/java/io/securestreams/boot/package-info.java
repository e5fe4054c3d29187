/**
 * Spring support for Secure Streams that does not depend on auto-configuration, such as the
 * per-streamtype beans.
 */
@NullMarked
package io.securestreams.boot;

import org.jspecify.annotations.NullMarked;
