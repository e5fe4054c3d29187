package io.securestreams.boot.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import io.securestreams.boot.metrics.SecureStreamsMetrics;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SecureStreamsMetricsAutoConfiguration}.
 */
class SecureStreamsMetricsAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class,
				SecureStreamsMetricsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1");

	@Test
	void registersTheMeterBinder() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(SecureStreamsMetrics.class));
	}

	@Test
	void backsOffWithoutMicrometer() {
		this.runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(SecureStreamsMetrics.class));
	}

}
