/**
 * Health of Secure Streams for Spring Boot's health endpoint.
 */
@NullMarked
package io.securestreams.boot.health;

import org.jspecify.annotations.NullMarked;
