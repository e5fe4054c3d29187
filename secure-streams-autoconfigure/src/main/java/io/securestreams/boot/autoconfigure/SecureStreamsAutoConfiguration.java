package io.securestreams.boot.autoconfigure;

import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStreams;
import io.securestreams.StreamEventListener;
import io.securestreams.SystemBlobs;
import io.securestreams.boot.annotation.EnableSecureStreams;
import io.securestreams.boot.config.SecureStreamsAnnotationSupportBeanNames;
import io.securestreams.policy.Policy;
import io.securestreams.auth.AccessTokenFetcher;
import io.securestreams.connectivity.CaptivePortalDetector;
import io.securestreams.policy.fetch.PolicyFetcher;
import io.securestreams.transport.HostNameLookup;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * Secure Streams: the policy (JSON resource and/or properties), the {@link SecureStreams}
 * context (closed gracefully with the application context), one
 * {@link io.securestreams.boot.SecureStreamType} bean per streamtype, the remote
 * {@link PolicyFetcher}, the {@link CaptivePortalDetector}, the {@link AccessTokenFetcher}, and {@link EnableSecureStreams @SecureStreamHandler} discovery.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnClass(SecureStreams.class)
@ConditionalOnBooleanProperty(name = "secure-streams.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SecureStreamsProperties.class)
public final class SecureStreamsAutoConfiguration {

	@Bean
	static StreamTypeBeansRegistrar secureStreamsStreamTypeBeansRegistrar() {
		return new StreamTypeBeansRegistrar();
	}

	@Bean
	static SecureStreamHandlerLazyInitializationExcludeFilter secureStreamHandlerLazyInitializationExcludeFilter() {
		return new SecureStreamHandlerLazyInitializationExcludeFilter();
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	SecureStreams secureStreams(Policy policy, SecureStreamsProperties properties,
			ObjectProvider<StreamEventListener> listeners, ObjectProvider<SystemBlobs> systemBlobs,
			ObjectProvider<HostNameLookup> hostNameLookup, ObjectProvider<SecureStreamsBuilderCustomizer> customizers) {
		String proxy = properties.getProxy().getAddress();
		SecureStreams.Builder builder = ((proxy != null) ? SecureStreams.proxiedBuilder(proxy)
				: SecureStreams.builder(policy))
			.eventLoopThreads(properties.getEventLoopThreads())
			.transport(properties.getTransport())
			.connectTimeout(properties.getConnectTimeout())
			.shutdownTimeout(properties.getShutdownTimeout())
			.limits(protocolLimits(properties.getLimits()));
		systemBlobs.ifAvailable(builder::systemBlobs);
		hostNameLookup.ifUnique(builder::hostNameLookup);
		listeners.orderedStream().forEach(builder::listener);
		customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		return builder.build();
	}

	private static ProtocolLimits protocolLimits(SecureStreamsProperties.Limits limits) {
		return new ProtocolLimits(Math.toIntExact(limits.getMaxWsFramePayload().toBytes()),
				Math.toIntExact(limits.getMaxHttpHeaderSize().toBytes()), limits.getHandshakeTimeout(),
				limits.getResponseTimeout());
	}

	@Bean
	@ConditionalOnMissingBean
	PolicyFetcher secureStreamsPolicyFetcher(SecureStreams secureStreams, SecureStreamsProperties properties) {
		SecureStreamsProperties.RemotePolicy remote = properties.getRemotePolicy();
		return new PolicyFetcher(secureStreams, remote.getStreamtype(), remote.getTimeout(),
				Math.toIntExact(remote.getMaxSize().toBytes()));
	}

	@Bean
	@ConditionalOnMissingBean
	CaptivePortalDetector secureStreamsCaptivePortalDetector(SecureStreams secureStreams,
			SecureStreamsProperties properties) {
		SecureStreamsProperties.CaptivePortal captivePortal = properties.getCaptivePortal();
		return new CaptivePortalDetector(secureStreams, captivePortal.getStreamtype(), captivePortal.getTimeout());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	AccessTokenFetcher secureStreamsAccessTokenFetcher(SecureStreams secureStreams,
			SecureStreamsProperties properties) {
		SecureStreamsProperties.AccessToken accessToken = properties.getAccessToken();
		return new AccessTokenFetcher(secureStreams, accessToken.getStreamtype(), accessToken.getTimeout());
	}

	@Bean
	StartupSystemSteps secureStreamsStartupSystemSteps(SecureStreamsProperties properties,
			CaptivePortalDetector captivePortalDetector, PolicyFetcher policyFetcher,
			AccessTokenFetcher accessTokenFetcher) {
		return new StartupSystemSteps(properties.getCaptivePortal().isDetectOnStartup() ? captivePortalDetector : null,
				properties.getRemotePolicy().isFetchOnStartup() ? policyFetcher : null,
				properties.getAccessToken().isFetchOnStartup() ? accessTokenFetcher : null);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableSecureStreams
	@ConditionalOnMissingBean(name = SecureStreamsAnnotationSupportBeanNames.HANDLER_ANNOTATION_PROCESSOR_BEAN_NAME)
	static class EnableSecureStreamsConfiguration {

	}

}
