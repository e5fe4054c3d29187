/**
 * The handler endpoint model: one endpoint per {@code @SecureStreamHandler} declaration,
 * collected by a registrar into a lifecycle-managed registry that creates and destroys the
 * streams.
 */
@NullMarked
package io.securestreams.boot.config;

import org.jspecify.annotations.NullMarked;
