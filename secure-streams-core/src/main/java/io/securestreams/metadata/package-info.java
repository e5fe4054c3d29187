/**
 * Stream metadata: the per-stream store of declared values and the {@code ${name}} template
 * expansion used in endpoints, URLs and MQTT topics.
 */
@NullMarked
package io.securestreams.metadata;

import org.jspecify.annotations.NullMarked;
