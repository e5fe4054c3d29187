package io.securestreams.boot.autoconfigure.actuate;

import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpoint;
import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpointBodyLimitFilter;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

/**
 * {@link ManagementContextConfiguration Management context configuration} that bounds the request
 * bodies of the {@link SecureStreamsPolicyEndpoint} on a servlet server. A management context
 * configuration rather than auto-configuration: with {@code management.server.port} set, the
 * actuator runs in a child context whose server only applies the filters of that context.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@ManagementContextConfiguration(proxyBeanMethods = false)
@ConditionalOnClass({ FilterRegistrationBean.class, SecureStreamsPolicyEndpoint.class })
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnBean({ SecureStreamsPolicyEndpoint.class, PathMappedEndpoints.class })
@ConditionalOnAvailableEndpoint(endpoint = SecureStreamsPolicyEndpoint.class, exposure = EndpointExposure.WEB)
public final class SecureStreamsPolicyEndpointManagementContextConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "secureStreamsPolicyEndpointBodyLimitFilter")
	FilterRegistrationBean<SecureStreamsPolicyEndpointBodyLimitFilter> secureStreamsPolicyEndpointBodyLimitFilter(
			PathMappedEndpoints pathMappedEndpoints) {
		FilterRegistrationBean<SecureStreamsPolicyEndpointBodyLimitFilter> registration = new FilterRegistrationBean<>(
				new SecureStreamsPolicyEndpointBodyLimitFilter(pathMappedEndpoints));
		// Before anything that might read the body, such as a filter reading request parameters.
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return registration;
	}

}
