/**
 * Auto-configuration for Secure Streams: the policy from JSON and properties, the context, one
 * bean per streamtype, remote policy fetch, and the failure analysis of invalid policies.
 */
@NullMarked
package io.securestreams.boot.autoconfigure;

import org.jspecify.annotations.NullMarked;
