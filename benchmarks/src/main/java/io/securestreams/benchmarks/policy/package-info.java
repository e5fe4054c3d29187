/**
 * Benchmarks of policy parsing.
 */
@NullMarked
package io.securestreams.benchmarks.policy;

import org.jspecify.annotations.NullMarked;
