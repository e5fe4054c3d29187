package io.securestreams.boot.config;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.messaging.handler.annotation.support.MessageHandlerMethodFactory;
import org.springframework.util.Assert;

/**
 * Collects handler endpoints, found by the annotation post-processor or added by a
 * {@code SecureStreamHandlerConfigurer}, and registers them all in the registry at once.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public class SecureStreamHandlerEndpointRegistrar implements InitializingBean {

	private final List<MethodSecureStreamHandlerEndpoint> endpoints = new ArrayList<>();

	private @Nullable SecureStreamHandlerEndpointRegistry endpointRegistry;

	private @Nullable MessageHandlerMethodFactory messageHandlerMethodFactory;

	/**
	 * Sets the registry the endpoints go to.
	 * @param endpointRegistry the registry
	 */
	public void setEndpointRegistry(SecureStreamHandlerEndpointRegistry endpointRegistry) {
		this.endpointRegistry = endpointRegistry;
	}

	/**
	 * Returns the registry the endpoints go to.
	 * @return the registry, or {@code null} before it is set
	 */
	public @Nullable SecureStreamHandlerEndpointRegistry getEndpointRegistry() {
		return this.endpointRegistry;
	}

	/**
	 * Sets the factory of invocable handler methods, replacing the default
	 * {@code SecureStreamMessageHandlerMethodFactory}.
	 * @param messageHandlerMethodFactory the factory
	 */
	public void setMessageHandlerMethodFactory(MessageHandlerMethodFactory messageHandlerMethodFactory) {
		this.messageHandlerMethodFactory = messageHandlerMethodFactory;
	}

	/**
	 * Returns the factory of invocable handler methods.
	 * @return the factory, or {@code null} when the default is used
	 */
	public @Nullable MessageHandlerMethodFactory getMessageHandlerMethodFactory() {
		return this.messageHandlerMethodFactory;
	}

	/**
	 * Adds an endpoint.
	 * @param endpoint the endpoint
	 */
	public void registerEndpoint(MethodSecureStreamHandlerEndpoint endpoint) {
		this.endpoints.add(endpoint);
	}

	@Override
	public void afterPropertiesSet() {
		Assert.state(this.endpointRegistry != null, "no endpoint registry");
		Assert.state(this.messageHandlerMethodFactory != null, "no message handler method factory");
		for (MethodSecureStreamHandlerEndpoint endpoint : this.endpoints) {
			this.endpointRegistry.registerHandlerEndpoint(endpoint, this.messageHandlerMethodFactory);
		}
		this.endpoints.clear();
	}

}
