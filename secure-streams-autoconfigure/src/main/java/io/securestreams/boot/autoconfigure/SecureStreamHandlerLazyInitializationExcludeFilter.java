package io.securestreams.boot.autoconfigure;

import io.securestreams.boot.annotation.SecureStreamHandler;
import io.securestreams.boot.annotation.SecureStreamHandlers;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Keeps {@link SecureStreamHandler @SecureStreamHandler} beans eager under
 * {@code spring.main.lazy-initialization}: their streams are found only when the bean is
 * created, and nothing else asks for a handler bean, so a lazy one would never get its streams.
 *
 * @author Secure Streams contributors
 */
final class SecureStreamHandlerLazyInitializationExcludeFilter implements LazyInitializationExcludeFilter {

	@Override
	public boolean isExcluded(String beanName, BeanDefinition beanDefinition, Class<?> beanType) {
		return AnnotatedElementUtils.hasAnnotation(beanType, SecureStreamHandler.class)
				|| AnnotatedElementUtils.hasAnnotation(beanType, SecureStreamHandlers.class);
	}

}
