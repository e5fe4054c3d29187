/**
 * Helpers the loopback comparison harnesses share: their command-line options, the CPU time and
 * load they report, and the median they print.
 */
@NullMarked
package io.securestreams.benchmarks.support;

import org.jspecify.annotations.NullMarked;
