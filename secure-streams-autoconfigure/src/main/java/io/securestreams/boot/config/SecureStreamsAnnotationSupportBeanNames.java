package io.securestreams.boot.config;

/**
 * Names of the beans that make up the {@code @SecureStreamHandler} support.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SecureStreamsAnnotationSupportBeanNames {

	/** The bean post-processor that discovers {@code @SecureStreamHandler} beans. */
	public static final String HANDLER_ANNOTATION_PROCESSOR_BEAN_NAME = "io.securestreams.boot.config."
			+ "internalSecureStreamHandlerAnnotationProcessor";

	/** The {@link SecureStreamHandlerEndpointRegistry}. */
	public static final String HANDLER_ENDPOINT_REGISTRY_BEAN_NAME = "io.securestreams.boot.config."
			+ "internalSecureStreamHandlerEndpointRegistry";

	/** An optional user bean of type {@code MessageHandlerMethodFactory} for handler methods. */
	public static final String HANDLER_METHOD_FACTORY_BEAN_NAME = "secureStreamHandlerMethodFactory";

	private SecureStreamsAnnotationSupportBeanNames() {
	}

}
