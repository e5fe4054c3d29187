/**
 * Client streams whose endpoint is a {@code file://} path: the file is read and delivered as rx,
 * as libwebsockets does when it is built with file operations.
 */
@NullMarked
package io.securestreams.protocol.file;

import org.jspecify.annotations.NullMarked;
