package io.securestreams.boot.autoconfigure.actuate;

import io.securestreams.SecureStreams;
import io.securestreams.boot.actuate.endpoint.SecureStreamsEndpoint;
import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpoint;
import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpointWebExtension;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SecureStreamsEndpointAutoConfiguration}.
 */
class SecureStreamsEndpointAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class,
				SecureStreamsEndpointAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1");

	@Test
	void endpointsExposedOverTheWebHaveTheWebExtension() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=securestreams,securestreamspolicy")
			.run((context) -> assertThat(context).hasSingleBean(SecureStreamsEndpoint.class)
				.hasSingleBean(SecureStreamsPolicyEndpoint.class)
				.hasSingleBean(SecureStreamsPolicyEndpointWebExtension.class));
	}

	@Test
	void endpointsNotExposedAreNotCreated() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(SecureStreamsEndpoint.class)
			.doesNotHaveBean(SecureStreamsPolicyEndpoint.class));
	}

	@Test
	void jmxOnlyExposureHasNoWebExtension() {
		this.runner
			.withPropertyValues("spring.jmx.enabled=true",
					"management.endpoints.jmx.exposure.include=securestreams,securestreamspolicy")
			.run((context) -> assertThat(context).hasSingleBean(SecureStreamsPolicyEndpoint.class)
				.doesNotHaveBean(SecureStreamsPolicyEndpointWebExtension.class));
	}

	@Test
	void endpointWithNoAccessIsNotCreated() {
		this.runner
			.withPropertyValues("management.endpoints.web.exposure.include=*",
					"management.endpoint.securestreamspolicy.access=NONE")
			.run((context) -> assertThat(context).hasSingleBean(SecureStreamsEndpoint.class)
				.doesNotHaveBean(SecureStreamsPolicyEndpoint.class));
	}

	@Test
	void userEndpointWins() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=*")
			.withUserConfiguration(UserEndpointConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(SecureStreamsEndpoint.class)
				.hasBean("userEndpoint"));
	}

	@Test
	void backsOffWithoutTheActuator() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=*")
			.withClassLoader(new FilteredClassLoader(ConditionalOnAvailableEndpoint.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(SecureStreams.class)
				.doesNotHaveBean(SecureStreamsEndpoint.class)
				.doesNotHaveBean(SecureStreamsPolicyEndpoint.class));
	}

	@Test
	void backsOffWhenSecureStreamsIsDisabled() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=*", "secure-streams.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(SecureStreamsEndpoint.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserEndpointConfiguration {

		@Bean
		SecureStreamsEndpoint userEndpoint(SecureStreams streams) {
			return new SecureStreamsEndpoint(streams);
		}

	}

}
