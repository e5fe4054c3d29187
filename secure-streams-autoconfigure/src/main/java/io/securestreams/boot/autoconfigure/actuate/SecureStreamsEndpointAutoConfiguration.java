package io.securestreams.boot.autoconfigure.actuate;

import io.securestreams.SecureStreams;
import io.securestreams.boot.actuate.endpoint.SecureStreamsEndpoint;
import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpoint;
import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpointErrorResolver;
import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpointWebExtension;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import io.securestreams.policy.fetch.PolicyFetcher;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * the {@link SecureStreamsEndpoint} and the {@link SecureStreamsPolicyEndpoint}, when the
 * actuator is on the classpath.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@AutoConfiguration(after = SecureStreamsAutoConfiguration.class,
		afterName = "org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration")
@ConditionalOnClass({ SecureStreams.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnSingleCandidate(SecureStreams.class)
public final class SecureStreamsEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	SecureStreamsEndpoint secureStreamsEndpoint(SecureStreams secureStreams) {
		return new SecureStreamsEndpoint(secureStreams);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(PolicyFetcher.class)
	@ConditionalOnAvailableEndpoint
	SecureStreamsPolicyEndpoint secureStreamsPolicyEndpoint(SecureStreams secureStreams, PolicyFetcher policyFetcher) {
		return new SecureStreamsPolicyEndpoint(secureStreams, policyFetcher);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(SecureStreamsPolicyEndpoint.class)
	@ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
	SecureStreamsPolicyEndpointWebExtension secureStreamsPolicyEndpointWebExtension(
			SecureStreamsPolicyEndpoint policyEndpoint) {
		return new SecureStreamsPolicyEndpointWebExtension(policyEndpoint);
	}

	// Spring MVC reads the request body before the endpoint runs; without this resolver a body
	// it cannot read gets a bare 400 that does not say what is wrong.
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HandlerExceptionResolver.class)
	@ConditionalOnWebApplication(type = Type.SERVLET)
	@ConditionalOnBean(PathMappedEndpoints.class)
	@ConditionalOnAvailableEndpoint(endpoint = SecureStreamsPolicyEndpoint.class, exposure = EndpointExposure.WEB)
	static class PolicyEndpointErrorsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		SecureStreamsPolicyEndpointErrorResolver secureStreamsPolicyEndpointErrorResolver(
				PathMappedEndpoints pathMappedEndpoints) {
			return new SecureStreamsPolicyEndpointErrorResolver(pathMappedEndpoints);
		}

	}

}
