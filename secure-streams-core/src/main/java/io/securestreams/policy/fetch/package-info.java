/**
 * Remote policy update (libwebsockets' {@code fetch_policy}): a policy is fetched through a
 * stream of a policy-defined streamtype, parsed whole, and only then swapped in atomically.
 */
@NullMarked
package io.securestreams.policy.fetch;

import org.jspecify.annotations.NullMarked;
