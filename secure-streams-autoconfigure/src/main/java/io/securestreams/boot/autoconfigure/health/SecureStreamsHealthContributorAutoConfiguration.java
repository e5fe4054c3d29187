package io.securestreams.boot.autoconfigure.health;

import io.securestreams.SecureStreams;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import io.securestreams.boot.health.SecureStreamsHealthIndicator;
import io.securestreams.connectivity.CaptivePortalDetector;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * the {@link SecureStreamsHealthIndicator} ({@code management.health.securestreams.enabled}).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@AutoConfiguration(after = SecureStreamsAutoConfiguration.class)
@ConditionalOnClass({ SecureStreams.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnSingleCandidate(SecureStreams.class)
@ConditionalOnEnabledHealthIndicator("securestreams")
public final class SecureStreamsHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "secureStreamsHealthIndicator")
	SecureStreamsHealthIndicator secureStreamsHealthIndicator(SecureStreams secureStreams,
			ObjectProvider<CaptivePortalDetector> captivePortalDetector) {
		return new SecureStreamsHealthIndicator(secureStreams, captivePortalDetector.getIfAvailable());
	}

}
