/**
 * The active policy at run time: a base policy with overlays applied over it, versioned and
 * hashed so that changes can be observed.
 */
@NullMarked
package io.securestreams.policy.overlay;

import org.jspecify.annotations.NullMarked;
