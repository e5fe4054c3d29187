package io.securestreams.boot.autoconfigure.actuate;

import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpointBodyLimitFilter;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementContextAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SecureStreamsPolicyEndpointManagementContextConfiguration}, imported into the
 * main context as the actuator imports management context configurations when the management
 * server is the main server (the separate-port case runs in
 * {@code SecureStreamsPolicyEndpointManagementPortTests}).
 */
class SecureStreamsPolicyEndpointManagementContextConfigurationTests {

	private static final String FILTER = "secureStreamsPolicyEndpointBodyLimitFilter";

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class,
				ManagementContextAutoConfiguration.class, SecureStreamsAutoConfiguration.class,
				SecureStreamsEndpointAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1");

	@Test
	void aPolicyEndpointExposedOverTheWebHasItsBodiesBounded() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=securestreamspolicy")
			.run((context) -> assertThat(context).getBean(FILTER, FilterRegistrationBean.class)
				.satisfies((registration) -> assertThat(registration.getFilter())
					.isInstanceOf(SecureStreamsPolicyEndpointBodyLimitFilter.class)));
	}

	@Test
	void noFilterWhenThePolicyEndpointIsNotExposedOverTheWeb() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=securestreams")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(FILTER));
	}

	@Test
	void noFilterOutsideAServletApplication() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class,
					WebEndpointAutoConfiguration.class, ManagementContextAutoConfiguration.class,
					SecureStreamsAutoConfiguration.class, SecureStreamsEndpointAutoConfiguration.class))
			.withPropertyValues("secure-streams.event-loop-threads=1",
					"management.endpoints.web.exposure.include=securestreamspolicy")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(FILTER));
	}

	@Test
	void aUserFilterOfTheSameNameWins() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=securestreamspolicy")
			.withUserConfiguration(UserFilterConfiguration.class)
			.run((context) -> assertThat(context).getBean(FILTER, FilterRegistrationBean.class)
				.satisfies((registration) -> assertThat(registration.getFilter())
					.isNotInstanceOf(SecureStreamsPolicyEndpointBodyLimitFilter.class)));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserFilterConfiguration {

		@Bean
		FilterRegistrationBean<?> secureStreamsPolicyEndpointBodyLimitFilter() {
			return new FilterRegistrationBean<>((request, response, chain) -> chain.doFilter(request, response));
		}

	}

}
