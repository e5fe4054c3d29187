package io.securestreams.boot.autoconfigure.actuate;

import io.securestreams.SecureStreams;
import io.securestreams.boot.actuate.endpoint.SecureStreamsEndpoint;
import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpoint;
import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpointWebExtension;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import io.securestreams.policy.fetch.PolicyFetcher;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * the {@link SecureStreamsEndpoint} and the {@link SecureStreamsPolicyEndpoint}, when the
 * actuator is on the classpath.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@AutoConfiguration(after = SecureStreamsAutoConfiguration.class)
@ConditionalOnClass({ SecureStreams.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(SecureStreams.class)
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

}
