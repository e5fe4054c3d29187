package io.securestreams.boot.annotation;

import io.securestreams.boot.config.SecureStreamHandlerEndpointRegistry;
import io.securestreams.boot.config.SecureStreamsAnnotationSupportBeanNames;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers the {@link SecureStreamHandlerAnnotationBeanPostProcessor} and the
 * {@link SecureStreamHandlerEndpointRegistry} under their
 * {@link SecureStreamsAnnotationSupportBeanNames well-known names}, unless beans of those names
 * exist.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public class SecureStreamsBootstrapConfiguration implements ImportBeanDefinitionRegistrar {

	@Override
	public void registerBeanDefinitions(AnnotationMetadata importingClassMetadata, BeanDefinitionRegistry registry) {
		register(registry, SecureStreamsAnnotationSupportBeanNames.HANDLER_ANNOTATION_PROCESSOR_BEAN_NAME,
				SecureStreamHandlerAnnotationBeanPostProcessor.class);
		register(registry, SecureStreamsAnnotationSupportBeanNames.HANDLER_ENDPOINT_REGISTRY_BEAN_NAME,
				SecureStreamHandlerEndpointRegistry.class);
	}

	private static void register(BeanDefinitionRegistry registry, String name, Class<?> type) {
		if (!registry.containsBeanDefinition(name)) {
			RootBeanDefinition definition = new RootBeanDefinition(type);
			definition.setRole(BeanDefinition.ROLE_INFRASTRUCTURE);
			registry.registerBeanDefinition(name, definition);
		}
	}

}
