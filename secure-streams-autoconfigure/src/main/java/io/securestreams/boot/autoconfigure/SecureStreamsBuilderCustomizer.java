package io.securestreams.boot.autoconfigure;

import io.securestreams.SecureStreams;

/**
 * Customizes the {@link SecureStreams.Builder} of the auto-configured context, after the
 * properties are applied; for example to set a jitter source or system blobs.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@FunctionalInterface
public interface SecureStreamsBuilderCustomizer {

	/**
	 * Customizes the builder.
	 * @param builder the builder
	 */
	void customize(SecureStreams.Builder builder);

}
