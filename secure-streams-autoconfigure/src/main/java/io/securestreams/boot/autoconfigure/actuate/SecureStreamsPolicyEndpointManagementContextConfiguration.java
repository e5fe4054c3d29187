package io.securestreams.boot.autoconfigure.actuate;

import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpoint;
import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpointBodyLimitFilter;
import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpointWebFilter;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
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
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.codec.CodecConfigurer;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.server.WebFilter;

/**
 * {@link ManagementContextConfiguration Management context configuration} that bounds the request
 * bodies of the {@link SecureStreamsPolicyEndpoint} and answers the ones the web stack cannot
 * read with located errors, on a servlet server and on a reactive one. A management context
 * configuration rather than auto-configuration: with {@code management.server.port} set, the
 * actuator runs in a child context whose server only applies the filters of that context.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@ManagementContextConfiguration(proxyBeanMethods = false)
@ConditionalOnClass(SecureStreamsPolicyEndpoint.class)
@ConditionalOnBean({ SecureStreamsPolicyEndpoint.class, PathMappedEndpoints.class })
@ConditionalOnAvailableEndpoint(endpoint = SecureStreamsPolicyEndpoint.class, exposure = EndpointExposure.WEB)
public final class SecureStreamsPolicyEndpointManagementContextConfiguration {

	// What Spring's codecs read into memory when spring.http.codecs.max-in-memory-size is not set.
	private static final int DEFAULT_CODEC_LIMIT = 256 * 1024;

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(FilterRegistrationBean.class)
	@ConditionalOnWebApplication(type = Type.SERVLET)
	static class ServletConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "secureStreamsPolicyEndpointBodyLimitFilter")
		FilterRegistrationBean<SecureStreamsPolicyEndpointBodyLimitFilter> secureStreamsPolicyEndpointBodyLimitFilter(
				PathMappedEndpoints pathMappedEndpoints) {
			var registration = new FilterRegistrationBean<>(
					new SecureStreamsPolicyEndpointBodyLimitFilter(pathMappedEndpoints));
			// Before anything that might read the body, such as a filter reading request parameters.
			registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
			return registration;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(WebFilter.class)
	@ConditionalOnWebApplication(type = Type.REACTIVE)
	static class ReactiveConfiguration {

		@Bean
		@ConditionalOnMissingBean
		SecureStreamsPolicyEndpointWebFilter secureStreamsPolicyEndpointWebFilter(
				PathMappedEndpoints pathMappedEndpoints, ObjectProvider<ServerCodecConfigurer> codecs) {
			return new SecureStreamsPolicyEndpointWebFilter(pathMappedEndpoints, codecLimit(codecs.getIfAvailable()));
		}

		static long codecLimit(@Nullable ServerCodecConfigurer codecs) {
			if (codecs == null || !(codecs.defaultCodecs() instanceof CodecConfigurer.DefaultCodecConfig config)) {
				return -1;
			}
			Integer limit = config.maxInMemorySize();
			return (limit != null) ? limit : DEFAULT_CODEC_LIMIT;
		}

	}

}
