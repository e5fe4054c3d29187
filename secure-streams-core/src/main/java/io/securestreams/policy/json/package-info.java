/**
 * Reading and writing policy JSON: a located, strict reader of lws policies and overlays and a
 * canonical writer. Jackson is used only here.
 */
@NullMarked
package io.securestreams.policy.json;

import org.jspecify.annotations.NullMarked;
