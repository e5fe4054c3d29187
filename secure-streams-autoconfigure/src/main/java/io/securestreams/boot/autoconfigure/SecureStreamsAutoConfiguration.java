package io.securestreams.boot.autoconfigure;

import java.time.Duration;

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

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.SearchStrategy;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * Secure Streams: the policy (JSON resource and/or properties), the {@link SecureStreams}
 * context (closed gracefully with the application context), one
 * {@link io.securestreams.boot.SecureStreamType} bean per streamtype, the remote
 * {@link PolicyFetcher}, the {@link CaptivePortalDetector}, the {@link AccessTokenFetcher},
 * and {@link EnableSecureStreams @SecureStreamHandler} discovery.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnClass(SecureStreams.class)
@ConditionalOnBooleanProperty(name = "secure-streams.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SecureStreamsProperties.class)
public final class SecureStreamsAutoConfiguration {

	private static final Duration MAX_JOB_TIMEOUT = Duration.ofMillis(0xFFFF_FFFEL);

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
		String viaSocks5 = properties.getProxy().getViaSocks5();
		if (proxy == null && viaSocks5 != null) {
			// Left unused without a word, it would look as if the streams went through it.
			throw new InvalidConfigurationPropertyValueException("secure-streams.proxy.via-socks5", viaSocks5,
					"applies to the links to secure-streams.proxy.address, which is not set; direct streams take "
							+ "theirs from the policy's via-socks5 (secure-streams.policy.via-socks5)");
		}
		SecureStreams.Builder builder = ((proxy != null) ? proxiedBuilder(proxy, viaSocks5)
				: SecureStreams.builder(policy))
			.eventLoopThreads(eventLoopThreads(properties.getEventLoopThreads()))
			.transport(properties.getTransport())
			.connectTimeout(connectTimeout(properties.getConnectTimeout()))
			.shutdownTimeout(notNegative("secure-streams.shutdown-timeout", properties.getShutdownTimeout()))
			.limits(protocolLimits(properties.getLimits()));
		systemBlobs.ifAvailable(builder::systemBlobs);
		hostNameLookup.ifUnique(builder::hostNameLookup);
		listeners.orderedStream().forEach(builder::listener);
		customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		return builder.build();
	}

	private static ProtocolLimits protocolLimits(SecureStreamsProperties.Limits limits) {
		String prefix = "secure-streams.limits.";
		return new ProtocolLimits(
				intBytes(prefix + "max-ws-frame-payload", limits.getMaxWsFramePayload(),
						ProtocolLimits.MIN_WS_FRAME_PAYLOAD),
				intBytes(prefix + "max-http-header-size", limits.getMaxHttpHeaderSize(),
						ProtocolLimits.MIN_HTTP_HEADER_SIZE),
				positive(prefix + "handshake-timeout", limits.getHandshakeTimeout()),
				positive(prefix + "response-timeout", limits.getResponseTimeout()));
	}

	// The values are checked here, where the property is known: what they go to either takes any
	// value (a negative connect timeout failed every host name lookup) or refuses it without
	// naming the property (an int overflow, "timeout must be positive").

	private static SecureStreams.Builder proxiedBuilder(String address, @Nullable String viaSocks5) {
		SecureStreams.Builder builder;
		try {
			builder = SecureStreams.proxiedBuilder(address);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("secure-streams.proxy.address", address,
					ex.getMessage());
		}
		try {
			return (viaSocks5 != null) ? builder.viaSocks5(viaSocks5) : builder;
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			throw new InvalidConfigurationPropertyValueException("secure-streams.proxy.via-socks5", viaSocks5,
					ex.getMessage());
		}
	}

	private static int eventLoopThreads(int threads) {
		if (threads < 0) {
			throw new InvalidConfigurationPropertyValueException("secure-streams.event-loop-threads", threads,
					"must not be negative; 0 means Netty's default");
		}
		return threads;
	}

	private static Duration connectTimeout(Duration timeout) {
		String property = "secure-streams.connect-timeout";
		positive(property, timeout);
		// Netty keeps a connect timeout as int milliseconds.
		if (timeout.toMillis() > Integer.MAX_VALUE) {
			throw new InvalidConfigurationPropertyValueException(property, timeout,
					"must be at most " + Integer.MAX_VALUE + "ms");
		}
		return timeout;
	}

	private static Duration positive(String property, Duration duration) {
		if (duration.isNegative() || duration.isZero()) {
			throw new InvalidConfigurationPropertyValueException(property, duration, "must be positive");
		}
		return duration;
	}

	// A system job's stream timer, which a proxied stream's TIMEOUT_UPDATE carries in 32 bits.
	private static Duration jobTimeout(String property, Duration timeout) {
		positive(property, timeout);
		if (timeout.compareTo(MAX_JOB_TIMEOUT) > 0) {
			throw new InvalidConfigurationPropertyValueException(property, timeout,
					"must be at most " + MAX_JOB_TIMEOUT.toMillis() + "ms");
		}
		return timeout;
	}

	private static Duration notNegative(String property, Duration duration) {
		if (duration.isNegative()) {
			// Taken as is, a negative timeout would skip the graceful part of every shutdown.
			throw new InvalidConfigurationPropertyValueException(property, duration,
					"must not be negative; 0 closes without waiting");
		}
		return duration;
	}

	// The core takes sizes as int byte counts, from its own minimums.
	private static int intBytes(String property, DataSize size, long min) {
		if (size.toBytes() < min || size.toBytes() > Integer.MAX_VALUE) {
			throw new InvalidConfigurationPropertyValueException(property, size,
					"must be between " + min + "B and " + Integer.MAX_VALUE + "B");
		}
		return (int) size.toBytes();
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnSingleCandidate(SecureStreams.class)
	PolicyFetcher secureStreamsPolicyFetcher(SecureStreams secureStreams, SecureStreamsProperties properties) {
		SecureStreamsProperties.RemotePolicy remote = properties.getRemotePolicy();
		return new PolicyFetcher(secureStreams, remote.getStreamtype(),
				jobTimeout("secure-streams.remote-policy.timeout", remote.getTimeout()),
				intBytes("secure-streams.remote-policy.max-size", remote.getMaxSize(), 1));
	}

	// Listens for libwebsockets' detection requests on the system message bus, as its runtime does.
	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	@ConditionalOnSingleCandidate(SecureStreams.class)
	CaptivePortalDetector secureStreamsCaptivePortalDetector(SecureStreams secureStreams,
			SecureStreamsProperties properties) {
		SecureStreamsProperties.CaptivePortal captivePortal = properties.getCaptivePortal();
		CaptivePortalDetector detector = new CaptivePortalDetector(secureStreams, captivePortal.getStreamtype(),
				jobTimeout("secure-streams.captive-portal.timeout", captivePortal.getTimeout()));
		detector.detectOnRequest();
		return detector;
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	@ConditionalOnSingleCandidate(SecureStreams.class)
	AccessTokenFetcher secureStreamsAccessTokenFetcher(SecureStreams secureStreams,
			SecureStreamsProperties properties) {
		SecureStreamsProperties.AccessToken accessToken = properties.getAccessToken();
		return new AccessTokenFetcher(secureStreams, accessToken.getStreamtype(),
				jobTimeout("secure-streams.access-token.timeout", accessToken.getTimeout()));
	}

	// Once per SecureStreams context: a child context that uses its parent's takes no steps again.
	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnSingleCandidate(SecureStreams.class)
	StartupSystemSteps secureStreamsStartupSystemSteps(SecureStreamsProperties properties,
			CaptivePortalDetector captivePortalDetector, PolicyFetcher policyFetcher,
			AccessTokenFetcher accessTokenFetcher) {
		return new StartupSystemSteps(properties.getCaptivePortal().isDetectOnStartup() ? captivePortalDetector : null,
				properties.getRemotePolicy().isFetchOnStartup() ? policyFetcher : null,
				properties.getAccessToken().isFetchOnStartup() ? accessTokenFetcher : null);
	}

	// A post-processor applies to the beans of its own context only: one in a parent context
	// does not find the handlers of this one.
	@Configuration(proxyBeanMethods = false)
	@EnableSecureStreams
	@ConditionalOnMissingBean(name = SecureStreamsAnnotationSupportBeanNames.HANDLER_ANNOTATION_PROCESSOR_BEAN_NAME,
			search = SearchStrategy.CURRENT)
	static class EnableSecureStreamsConfiguration {

	}

}
