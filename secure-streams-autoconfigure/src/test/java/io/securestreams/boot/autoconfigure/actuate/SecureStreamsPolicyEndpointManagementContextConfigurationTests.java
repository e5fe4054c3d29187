package io.securestreams.boot.autoconfigure.actuate;

import java.util.List;

import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpointBodyLimitFilter;
import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpointWebFilter;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementContextAutoConfiguration;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.codec.ServerCodecConfigurer;

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

	private final ReactiveWebApplicationContextRunner reactiveRunner = new ReactiveWebApplicationContextRunner()
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
	void noFilterOutsideAWebApplication() {
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

	@Test
	void aReactivePolicyEndpointExposedOverTheWebHasItsRequestsFiltered() {
		this.reactiveRunner.withPropertyValues("management.endpoints.web.exposure.include=securestreamspolicy")
			.run((context) -> assertThat(context).hasSingleBean(SecureStreamsPolicyEndpointWebFilter.class)
				.doesNotHaveBean(FILTER));
	}

	@Test
	void noReactiveFilterWhenThePolicyEndpointIsNotExposedOverTheWeb() {
		this.reactiveRunner.withPropertyValues("management.endpoints.web.exposure.include=securestreams")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(SecureStreamsPolicyEndpointWebFilter.class));
	}

	@Test
	void noReactiveFilterInAServletApplication() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=securestreamspolicy")
			.run((context) -> assertThat(context).doesNotHaveBean(SecureStreamsPolicyEndpointWebFilter.class));
	}

	@Test
	void aUserReactiveFilterWins() {
		this.reactiveRunner.withPropertyValues("management.endpoints.web.exposure.include=securestreamspolicy")
			.withBean("userFilter", SecureStreamsPolicyEndpointWebFilter.class,
					() -> new SecureStreamsPolicyEndpointWebFilter(new PathMappedEndpoints("/actuator", List::of), 1))
			.run((context) -> assertThat(context).getBean(SecureStreamsPolicyEndpointWebFilter.class)
				.isSameAs(context.getBean("userFilter")));
	}

	@Test
	void theReactiveCodecLimitIsTheConfiguredOneOrSpringsDefault() {
		ServerCodecConfigurer codecs = ServerCodecConfigurer.create();
		assertThat(codecLimit(codecs)).isEqualTo(256 * 1024);
		codecs.defaultCodecs().maxInMemorySize(1000);
		assertThat(codecLimit(codecs)).isEqualTo(1000);
		codecs.defaultCodecs().maxInMemorySize(-1);
		assertThat(codecLimit(codecs)).as("no limit").isNegative();
		assertThat(codecLimit(null)).as("no codecs known").isNegative();
	}

	private static long codecLimit(@Nullable ServerCodecConfigurer codecs) {
		return SecureStreamsPolicyEndpointManagementContextConfiguration.ReactiveConfiguration.codecLimit(codecs);
	}

	@Configuration(proxyBeanMethods = false)
	static class UserFilterConfiguration {

		@Bean
		FilterRegistrationBean<?> secureStreamsPolicyEndpointBodyLimitFilter() {
			return new FilterRegistrationBean<>((request, response, chain) -> chain.doFilter(request, response));
		}

	}

}
