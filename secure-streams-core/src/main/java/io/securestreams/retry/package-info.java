/**
 * Retry and backoff: the pure delay computation of a retry policy and the per-stream counter
 * that decides when failures stop being concealed.
 */
@NullMarked
package io.securestreams.retry;

import org.jspecify.annotations.NullMarked;
