package io.securestreams.boot.annotation;

import io.securestreams.boot.config.SecureStreamHandlerEndpointRegistrar;

/**
 * Implemented by beans that want to adjust the {@code @SecureStreamHandler} support before the
 * endpoints are registered: set another {@code MessageHandlerMethodFactory}, or register
 * endpoints programmatically.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@FunctionalInterface
public interface SecureStreamHandlerConfigurer {

	/**
	 * Adjusts the registrar.
	 * @param registrar the registrar holding the discovered endpoints
	 */
	void configureSecureStreamHandlers(SecureStreamHandlerEndpointRegistrar registrar);

}
