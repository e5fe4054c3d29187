package io.securestreams.boot.autoconfigure.health;

import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import io.securestreams.boot.health.SecureStreamsHealthIndicator;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SecureStreamsHealthContributorAutoConfiguration}.
 */
class SecureStreamsHealthContributorAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class,
				SecureStreamsHealthContributorAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1");

	@Test
	void registersTheIndicator() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(SecureStreamsHealthIndicator.class)
			.hasBean("secureStreamsHealthIndicator"));
	}

	@Test
	void indicatorCanBeDisabled() {
		this.runner.withPropertyValues("management.health.securestreams.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(SecureStreamsHealthIndicator.class));
	}

	@Test
	void backsOffWithoutHealthSupport() {
		this.runner.withClassLoader(new FilteredClassLoader(ConditionalOnEnabledHealthIndicator.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(SecureStreamsHealthIndicator.class));
	}

}
