package io.securestreams.boot.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.securestreams.SecureStreams;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import io.securestreams.boot.metrics.SecureStreamsMetrics;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * {@link SecureStreamsMetrics}, a {@code MeterBinder} that Spring Boot binds to every meter
 * registry.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@AutoConfiguration(after = SecureStreamsAutoConfiguration.class)
@ConditionalOnClass({ SecureStreams.class, MeterRegistry.class })
@ConditionalOnSingleCandidate(SecureStreams.class)
public final class SecureStreamsMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SecureStreamsMetrics secureStreamsMetrics(SecureStreams secureStreams) {
		return new SecureStreamsMetrics(secureStreams);
	}

}
