package io.securestreams.boot.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.securestreams.SecureStream;
import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStreams;
import io.securestreams.StreamEventListener;
import io.securestreams.StreamHandler;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.auth.AccessTokenFetcher;
import io.securestreams.boot.SecureStreamType;
import io.securestreams.boot.actuate.endpoint.SecureStreamsEndpoint;
import io.securestreams.boot.autoconfigure.actuate.SecureStreamsEndpointAutoConfiguration;
import io.securestreams.boot.autoconfigure.health.SecureStreamsHealthContributorAutoConfiguration;
import io.securestreams.boot.autoconfigure.metrics.SecureStreamsMetricsAutoConfiguration;
import io.securestreams.boot.health.SecureStreamsHealthIndicator;
import io.securestreams.boot.metrics.SecureStreamsMetrics;
import io.securestreams.connectivity.CaptivePortalDetector;
import io.securestreams.connectivity.Connectivity;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyCertificate;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.fetch.PolicyFetcher;
import io.securestreams.smd.SmdBus;
import io.securestreams.smd.SmdClass;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.transport.HostNameLookup;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SecureStreamsAutoConfiguration}: conditions, user beans, the policy from
 * properties and JSON, streamtype beans and invalid policies.
 */
class SecureStreamsAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s");

	@Test
	void withoutConfigurationTheContextHasAnEmptyPolicy() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(SecureStreams.class).hasSingleBean(PolicyFetcher.class);
			assertThat(context.getBean(SecureStreams.class).policy().streamTypes()).isEmpty();
			assertThat(context).doesNotHaveBean(SecureStreamType.class);
		});
	}

	@Test
	void disabledBacksOffEntirely() {
		this.runner.withPropertyValues("secure-streams.enabled=false",
				"secure-streams.policy.location=classpath:policies/base.json").run((context) -> {
					assertThat(context).hasNotFailed()
						.doesNotHaveBean(SecureStreams.class)
						.doesNotHaveBean(Policy.class)
						.doesNotHaveBean(SecureStreamType.class);
				});
	}

	@Test
	void limitsDefaultToTheCoreDefaultsAndFollowTheirProperties() {
		this.runner.run((context) -> assertThat(context.getBean(SecureStreams.class).limits())
			.isEqualTo(ProtocolLimits.DEFAULTS));
		this.runner
			.withPropertyValues("secure-streams.limits.max-ws-frame-payload=4MB",
					"secure-streams.limits.max-http-header-size=32KB", "secure-streams.limits.handshake-timeout=3s",
					"secure-streams.limits.response-timeout=1m")
			.run((context) -> assertThat(context.getBean(SecureStreams.class).limits())
				.isEqualTo(new ProtocolLimits(4 * 1024 * 1024, 32 * 1024, Duration.ofSeconds(3),
						Duration.ofMinutes(1))));
	}

	@Test
	void contextPropertiesOutOfRangeFailTheStartupNamingTheProperty() {
		// Before, a negative connect timeout failed every host name lookup, sizes of 2GB and more
		// failed with "integer overflow", limits below the core's minimums and the others with a
		// message that did not name the property, and a negative shutdown timeout was taken.
		Map<String, String> reasons = new LinkedHashMap<>();
		reasons.put("secure-streams.connect-timeout=-5s", "must be positive");
		reasons.put("secure-streams.connect-timeout=0s", "must be positive");
		reasons.put("secure-streams.connect-timeout=30d", "must be at most 2147483647ms");
		reasons.put("secure-streams.event-loop-threads=-1", "must not be negative; 0 means Netty's default");
		reasons.put("secure-streams.limits.max-ws-frame-payload=2GB", "must be between 262144B and 2147483647B");
		reasons.put("secure-streams.limits.max-ws-frame-payload=1KB", "must be between 262144B and 2147483647B");
		reasons.put("secure-streams.limits.max-http-header-size=3GB", "must be between 1024B and 2147483647B");
		reasons.put("secure-streams.limits.max-http-header-size=512B", "must be between 1024B and 2147483647B");
		reasons.put("secure-streams.shutdown-timeout=-1s", "must not be negative; 0 closes without waiting");
		reasons.put("secure-streams.limits.handshake-timeout=0s", "must be positive");
		reasons.put("secure-streams.limits.response-timeout=-1s", "must be positive");
		reasons.put("secure-streams.remote-policy.max-size=3GB", "must be between 1B and 2147483647B");
		reasons.put("secure-streams.remote-policy.max-size=0", "must be between 1B and 2147483647B");
		reasons.put("secure-streams.remote-policy.timeout=0s", "must be positive");
		reasons.put("secure-streams.captive-portal.timeout=-1s", "must be positive");
		reasons.put("secure-streams.access-token.timeout=0s", "must be positive");
		reasons.put("secure-streams.remote-policy.timeout=50d", "must be at most 4294967294ms");
		reasons.put("secure-streams.captive-portal.timeout=50d", "must be at most 4294967294ms");
		reasons.put("secure-streams.access-token.timeout=50d", "must be at most 4294967294ms");
		reasons.put("secure-streams.proxy.address=nonsense",
				"proxy address 'nonsense' is not +@name, +/path or host:port");
		reasons.put("secure-streams.proxy.address=[::1", "proxy address '[::1' has an unclosed '['");
		reasons.put("secure-streams.proxy.address=localhost:", "proxy address 'localhost:' has no port after ':'");
		reasons.forEach((property, reason) -> this.runner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			InvalidConfigurationPropertyValueException exception = findCause(context.getStartupFailure(),
					InvalidConfigurationPropertyValueException.class);
			assertThat(exception.getName()).isEqualTo(property.substring(0, property.indexOf('=')));
			assertThat(exception.getReason()).isEqualTo(reason);
		}));
		this.runner.withPropertyValues("secure-streams.connect-timeout=1ms", "secure-streams.shutdown-timeout=0s",
				"secure-streams.event-loop-threads=0", "secure-streams.remote-policy.max-size=1B",
				"secure-streams.remote-policy.timeout=4294967294ms")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void userSecureStreamsBeanWins() {
		this.runner.withUserConfiguration(UserSecureStreamsConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(SecureStreams.class).hasBean("userSecureStreams");
			assertThat(context.getBean(PolicyFetcher.class).streamType()).isEqualTo("fetch_policy");
		});
	}

	@Test
	void twoUserSecureStreamsBeansMakeTheBeansThatNeedOneBackOff() {
		// Before, start-up failed: "expected single matching bean but found 2" for the fetcher.
		ApplicationContextRunner all = this.runner.withConfiguration(AutoConfigurations.of(
				SecureStreamsEndpointAutoConfiguration.class, SecureStreamsHealthContributorAutoConfiguration.class,
				SecureStreamsMetricsAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=*");
		all.withUserConfiguration(TwoSecureStreamsConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed()
				.doesNotHaveBean(PolicyFetcher.class)
				.doesNotHaveBean(CaptivePortalDetector.class)
				.doesNotHaveBean(AccessTokenFetcher.class)
				.doesNotHaveBean(StartupSystemSteps.class)
				.doesNotHaveBean(SecureStreamsEndpoint.class)
				.doesNotHaveBean(SecureStreamsHealthIndicator.class)
				.doesNotHaveBean(SecureStreamsMetrics.class);
			assertThat(context.getBeansOfType(SecureStreams.class)).containsOnlyKeys("first", "second");
		});
		all.withUserConfiguration(TwoSecureStreamsConfiguration.class)
			.withBean("primary", SecureStreams.class,
					() -> SecureStreams.builder(Policy.empty()).eventLoopThreads(1).build(),
					(definition) -> definition.setPrimary(true))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.hasSingleBean(PolicyFetcher.class)
					.hasSingleBean(StartupSystemSteps.class)
					.hasSingleBean(SecureStreamsEndpoint.class)
					.hasSingleBean(SecureStreamsHealthIndicator.class)
					.hasSingleBean(SecureStreamsMetrics.class);
			});
	}

	@Test
	void userPolicyBeanWins() {
		this.runner.withUserConfiguration(UserPolicyConfiguration.class)
			.withPropertyValues("secure-streams.policy.release=ignored")
			.run((context) -> {
				assertThat(context).hasSingleBean(Policy.class)
					.doesNotHaveBean(StreamTypeBeansRegistrar.POLICY_BEAN_NAME);
				assertThat(context.getBean(SecureStreams.class).policy().streamTypes()).containsOnlyKeys("userstream");
			});
	}

	@Test
	void userPolicyFetcherBeanWins() {
		this.runner.withUserConfiguration(UserPolicyFetcherConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(PolicyFetcher.class);
			assertThat(context.getBean(PolicyFetcher.class).streamType()).isEqualTo("my_fetch");
		});
	}

	@Test
	void propertiesAloneDefineThePolicy() {
		this.runner.withPropertyValues("secure-streams.policy.release=yaml-1",
				"secure-streams.policy.retry.quick.backoff=100ms,2s,3000",
				"secure-streams.policy.retry.quick.conceal=3", "secure-streams.policy.retry.quick.jitter=10",
				"secure-streams.policy.retry.quick.valid-ping=30", "secure-streams.policy.retry.quick.valid-hangup=1m",
				"secure-streams.policy.streamtypes.telemetry.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.telemetry.port=8443",
				"secure-streams.policy.streamtypes.telemetry.protocol=h1",
				"secure-streams.policy.streamtypes.telemetry.http-method=POST",
				"secure-streams.policy.streamtypes.telemetry.http-url=/upload",
				"secure-streams.policy.streamtypes.telemetry.retry=quick",
				"secure-streams.policy.streamtypes.telemetry.timeout-ms=5s",
				"secure-streams.policy.streamtypes.telemetry.metadata.ctype=content-type:",
				"secure-streams.policy.streamtypes.telemetry.http-resp-map.530=1530",
				"secure-streams.policy.streamtypes.telemetry.proxy-buflen=64KB",
				"secure-streams.policy.streamtypes.[fetch_policy].endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.[fetch_policy].port=9000")
			.run((context) -> {
				Policy policy = context.getBean(SecureStreams.class).policy();
				assertThat(policy.release()).isEqualTo("yaml-1");
				assertThat(policy.retry().get("quick"))
					.isEqualTo(new RetryPolicy("quick", List.of(100, 2000, 3000), 3, 10, 30, 60));
				StreamTypePolicy telemetry = policy.streamType("telemetry");
				assertThat(telemetry.endpoint()).isEqualTo("127.0.0.1");
				assertThat(telemetry.port()).isEqualTo(8443);
				assertThat(telemetry.protocol()).isEqualTo(Protocol.H1);
				assertThat(telemetry.http().method()).isEqualTo("POST");
				assertThat(telemetry.timeoutMs()).isEqualTo(5000);
				assertThat(telemetry.metadata()).containsExactly(new MetadataDeclaration("ctype", "content-type:"));
				assertThat(telemetry.http().responseMap()).singleElement()
					.satisfies((mapping) -> assertThat(mapping.state()).isEqualTo(1530));
				assertThat(telemetry.buffers().proxyBuflen()).isEqualTo(65536);
				assertThat(policy.streamTypes()).containsOnlyKeys("telemetry", "fetch_policy");
				assertThat(context.getBean("telemetry", SecureStreamType.class).policy()).isEqualTo(telemetry);
				assertThat(context.getBean("fetch_policy", SecureStreamType.class).name()).isEqualTo("fetch_policy");
			});
	}

	@Test
	void propertiesAreAnOverlayOverTheJsonPolicy() {
		this.runner.withPropertyValues("secure-streams.policy.location=classpath:policies/base.json",
				"secure-streams.policy.streamtypes.mintest.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.mintest.tls=false",
				"secure-streams.policy.streamtypes.extra.endpoint=localhost",
				"secure-streams.policy.streamtypes.extra.port=80")
			.run((context) -> {
				Policy policy = context.getBean(SecureStreams.class).policy();
				assertThat(policy.release()).isEqualTo("json-1");
				StreamTypePolicy mintest = policy.streamType("mintest");
				assertThat(mintest.endpoint()).isEqualTo("127.0.0.1");
				assertThat(mintest.tls().enabled()).isFalse();
				assertThat(mintest.port()).isEqualTo(443);
				assertThat(mintest.http().url()).isEqualTo("/index.html");
				assertThat(policy.streamTypes()).containsOnlyKeys("mintest", "fetch_policy", "extra");
				assertThat(context.getBeansOfType(SecureStreamType.class)).containsOnlyKeys("mintest", "fetch_policy",
						"extra");
			});
	}

	@Test
	void aStreamtypeNamedLikeASingletonOfTheContextLeavesThatSingletonAlone() {
		this.runner.withPropertyValues("secure-streams.policy.location=classpath:policies/base.json",
				"secure-streams.policy.streamtypes.environment.endpoint=localhost",
				"secure-streams.policy.streamtypes.environment.port=80")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(SecureStreams.class).policy().streamTypes()).containsKey("environment");
				assertThat(context.getBean("environment")).isInstanceOf(org.springframework.core.env.Environment.class);
				assertThat(context.getBeansOfType(SecureStreamType.class)).doesNotContainKey("environment");
			});
	}

	@Test
	void certificatesInlineAndFromResources(@TempDir Path directory) throws Exception {
		byte[] der = TestPki.ca().getCertificate().getEncoded();
		Path pem = directory.resolve("ca.pem");
		Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(der)
				+ "\n-----END CERTIFICATE-----\n");
		Path key = directory.resolve("server.key");
		Files.write(key, TestPki.server().getKeyPair().getPrivate().getEncoded());
		this.runner.withPropertyValues(
				"secure-streams.policy.certs.inline.value=" + Base64.getEncoder().encodeToString(der),
				"secure-streams.policy.certs.pem.location=file:" + pem,
				"secure-streams.policy.certs.key.location=file:" + key,
				"secure-streams.policy.trust-stores.both=inline,pem",
				"secure-streams.policy.streamtypes.secure.endpoint=localhost",
				"secure-streams.policy.streamtypes.secure.tls=true",
				"secure-streams.policy.streamtypes.secure.tls-trust-store=both")
			.run((context) -> {
				Policy policy = context.getBean(SecureStreams.class).policy();
				assertThat(policy.trustAnchors("both")).hasSize(2);
				assertThat(policy.certs().get("key").kind()).isEqualTo(PolicyCertificate.Kind.PRIVATE_KEY);
			});
	}

	@Test
	void badCertificatePropertiesAreAllReported() {
		this.runner.withPropertyValues("secure-streams.policy.certs.both.value=AAAA",
				"secure-streams.policy.certs.both.location=classpath:policies/base.json",
				"secure-streams.policy.certs.garbage.value=not*base64",
				"secure-streams.policy.certs.notder.value=AAAA")
			.run((context) -> {
				PolicyException exception = findCause(context.getStartupFailure(), PolicyException.class);
				assertThat(exception.problems()).extracting(PolicyProblem::path)
					.containsExactly("secure-streams.policy.certs.both", "secure-streams.policy.certs.garbage",
							"secure-streams.policy.certs.notder");
				assertThat(exception.problems().get(0).message()).contains("exactly one of");
			});
	}

	@Test
	void remotePolicyIsFetchedAtStartupWhenAsked() throws Exception {
		try (MockWebServer server = new MockWebServer()) {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().code(200).body("{\"release\": \"remote-2\"}").build());
			String type = "secure-streams.policy.streamtypes.[fetch_policy].";
			this.runner.withPropertyValues("secure-streams.remote-policy.fetch-on-startup=true",
					"secure-streams.policy.release=local-1", type + "endpoint=127.0.0.1",
					type + "port=" + server.getPort(), type + "http-url=/policy.json")
				.run((context) -> {
					assertThat(context).hasSingleBean(StartupSystemSteps.class);
					SecureStreams streams = context.getBean(SecureStreams.class);
					assertThat(streams.policy().release()).isEqualTo("remote-2");
					assertThat(streams.activePolicy().version()).isEqualTo(2);
				});
			assertThat(server.getRequestCount()).isEqualTo(1);
		}
	}

	@Test
	void captivePortalIsDetectedAtStartupBeforeThePolicyFetch() throws Exception {
		try (MockWebServer server = new MockWebServer()) {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().code(204).build());
			server.enqueue(new MockResponse.Builder().code(200).body("{\"release\": \"remote-2\"}").build());
			String cpd = "secure-streams.policy.streamtypes.[captive_portal_detect].";
			String fetch = "secure-streams.policy.streamtypes.[fetch_policy].";
			this.runner.withPropertyValues("secure-streams.captive-portal.detect-on-startup=true",
					"secure-streams.remote-policy.fetch-on-startup=true", "secure-streams.policy.release=local-1",
					cpd + "endpoint=127.0.0.1", cpd + "port=" + server.getPort(), cpd + "http-url=/generate_204",
					cpd + "http-expect=204", fetch + "endpoint=127.0.0.1", fetch + "port=" + server.getPort(),
					fetch + "http-url=/policy.json")
				.run((context) -> {
					assertThat(context.getBean(CaptivePortalDetector.class).result())
						.isEqualTo(Connectivity.INTERNET_OK);
					assertThat(context.getBean(SecureStreams.class).policy().release()).isEqualTo("remote-2");
				});
			assertThat(server.takeRequest().getTarget()).isEqualTo("/generate_204");
			assertThat(server.takeRequest().getTarget()).isEqualTo("/policy.json");
		}
	}

	@Test
	void aDetectionRequestOnTheSystemMessageBusDetectsUntilTheContextCloses() throws Exception {
		try (MockWebServer server = new MockWebServer()) {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().code(204).build());
			String cpd = "secure-streams.policy.streamtypes.[captive_portal_detect].";
			SmdBus[] bus = new SmdBus[1];
			int[] listening = new int[1];
			this.runner.withPropertyValues(cpd + "endpoint=127.0.0.1", cpd + "port=" + server.getPort(),
					cpd + "http-url=/generate_204", cpd + "http-expect=204")
				.run((context) -> {
					CaptivePortalDetector detector = context.getBean(CaptivePortalDetector.class);
					bus[0] = context.getBean(SecureStreams.class).smd();
					listening[0] = bus[0].subscriptions();
					// As libwebsockets' runtime, which detects on this request from any participant.
					bus[0].publish(SmdClass.NETWORK, "{\"trigger\":\"cpdcheck\"}");
					Awaitility.await().atMost(Duration.ofSeconds(10))
						.until(() -> detector.result() == Connectivity.INTERNET_OK);
				});
			assertThat(server.takeRequest().getTarget()).isEqualTo("/generate_204");
			// The detector stopped listening with the context.
			assertThat(bus[0].subscriptions()).isEqualTo(listening[0] - 1);
		}
	}

	@Test
	void accessTokenIsFetchedAtStartupIntoTheBlobs() throws Exception {
		try (MockWebServer server = new MockWebServer()) {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().body("{\"access_token\":\"Atza|boot\",\"expires_in\":3600}")
				.build());
			SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.AUTH, 1,
					"refresh_token=r".getBytes(StandardCharsets.UTF_8));
			String auth = "secure-streams.policy.streamtypes.[api_amazon_com_auth].";
			this.runner.withBean(SystemBlobs.class, () -> blobs)
				.withPropertyValues("secure-streams.access-token.fetch-on-startup=true", auth + "endpoint=127.0.0.1",
						auth + "port=" + server.getPort(), auth + "http-method=POST", auth + "http-url=/token")
				.run((context) -> {
					assertThat(context).hasSingleBean(AccessTokenFetcher.class);
					assertThat(blobs.getString(SystemBlobs.Type.AUTH, 0)).isEqualTo("Atza|boot");
				});
			assertThat(server.takeRequest().getBody().utf8()).isEqualTo("refresh_token=r");
		}
	}

	@Test
	void hostNameLookupBeanResolvesTheEndpoints() throws Exception {
		try (MockWebServer server = new MockWebServer()) {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().body("{\"access_token\":\"Atza|named\",\"expires_in\":3600}")
				.build());
			SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.AUTH, 1,
					"refresh_token=r".getBytes(StandardCharsets.UTF_8));
			List<String> looked = new java.util.concurrent.CopyOnWriteArrayList<>();
			HostNameLookup lookup = (host) -> {
				looked.add(host);
				return new InetAddress[] { InetAddress.getByAddress(host, new byte[] { 127, 0, 0, 1 }) };
			};
			String auth = "secure-streams.policy.streamtypes.[api_amazon_com_auth].";
			this.runner.withBean(SystemBlobs.class, () -> blobs)
				.withBean(HostNameLookup.class, () -> lookup)
				.withPropertyValues("secure-streams.access-token.fetch-on-startup=true", auth + "endpoint=tokens.test",
						auth + "port=" + server.getPort(), auth + "http-method=POST", auth + "http-url=/token")
				.run((context) -> assertThat(blobs.getString(SystemBlobs.Type.AUTH, 0)).isEqualTo("Atza|named"));
			assertThat(looked).containsExactly("tokens.test");
			assertThat(server.takeRequest().getHeaders().get("Host")).isEqualTo("tokens.test:" + server.getPort());
		}
	}

	@Test
	void captivePortalDetectorFollowsItsPropertiesAndAUserBeanWins() {
		this.runner.withPropertyValues("secure-streams.captive-portal.streamtype=cpd_check",
				"secure-streams.policy.streamtypes.[cpd_check].endpoint=127.0.0.1")
			.run((context) -> {
				assertThat(context.getBean(CaptivePortalDetector.class).isConfigured()).isTrue();
				assertThat(context.getBean(CaptivePortalDetector.class).result()).isEqualTo(Connectivity.UNKNOWN);
			});
		this.runner.withUserConfiguration(UserCaptivePortalDetectorConfiguration.class)
			.run((context) -> assertThat(context).getBean(CaptivePortalDetector.class)
				.isSameAs(context.getBean("mine")));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserCaptivePortalDetectorConfiguration {

		@Bean
		CaptivePortalDetector mine(SecureStreams secureStreams) {
			return new CaptivePortalDetector(secureStreams, "mine", Duration.ofSeconds(1));
		}

	}

	@Test
	void failedStartupFetchKeepsTheLocalPolicy() throws Exception {
		try (MockWebServer server = new MockWebServer()) {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().code(200).body("{ not json").build());
			String type = "secure-streams.policy.streamtypes.[fetch_policy].";
			this.runner.withPropertyValues("secure-streams.remote-policy.fetch-on-startup=true",
					"secure-streams.policy.release=local-1", type + "endpoint=127.0.0.1",
					type + "port=" + server.getPort(), type + "http-url=/policy.json")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					assertThat(context.getBean(SecureStreams.class).policy().release()).isEqualTo("local-1");
				});
		}
	}

	@Test
	void listenerBeansAndCustomizersReachTheContext() {
		List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
		StreamEventListener listener = new StreamEventListener() {
			@Override
			public void stateChanged(SecureStream stream, StreamState previous, StreamState state) {
				seen.add(stream.streamType() + ":" + state);
			}
		};
		this.runner.withBean(StreamEventListener.class, () -> listener)
			.withBean(SecureStreamsBuilderCustomizer.class, () -> (builder) -> builder.jitterSource(() -> 0))
			.withPropertyValues("secure-streams.policy.streamtypes.idle.endpoint=127.0.0.1",
					"secure-streams.policy.streamtypes.idle.port=9")
			.run((context) -> {
				context.getBean("idle", SecureStreamType.class).create(new StreamHandler() {
				});
				assertThat(seen).containsExactly("idle:CREATING");
				assertThat(context.getBean("idle", SecureStreamType.class).streams()).hasSize(1);
			});
	}

	@Test
	void invalidJsonPolicyFailsWithEveryProblemLocated() {
		this.runner.withPropertyValues("secure-streams.policy.location=classpath:policies/invalid.json")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new InvalidPolicyFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains("(2 problems)")
					.contains("classpath:policies/invalid.json:3:")
					.contains("classpath:policies/invalid.json:4:")
					.contains("nope");
				assertThat(analysis.getAction()).contains("secure-streams.policy");
			});
	}

	@Test
	void aPolicyWithMoreProblemsThanAreListedCountsThemAll(@TempDir Path directory) throws Exception {
		// The header said "(101 problems)", the listed ones, above a last line counting 49 more.
		StringBuilder json = new StringBuilder("{\"s\": [");
		for (int i = 0; i < 150; i++) {
			json.append((i > 0) ? ",\n" : "\n").append("{\"st").append(i).append("\": {\"port\": \"x\"}}");
		}
		Path policy = Files.writeString(directory.resolve("many.json"), json.append("]}"));
		this.runner.withPropertyValues("secure-streams.policy.location=" + policy.toUri()).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new InvalidPolicyFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("(150 problems)").endsWith(": 50 more errors not listed");
		});
	}

	@Test
	void anUnreadablePolicyLocationIsReportedAtItsProperty() {
		// Before, the problem was located in the missing file itself ("classpath:nope.json:0:0"),
		// not at the property that named it.
		this.runner
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(yaml("policies/missing-location.yml")))
			.run((context) -> {
				assertThat(context).hasFailed();
				PolicyException exception = findCause(context.getStartupFailure(), PolicyException.class);
				assertThat(exception.problems()).extracting(PolicyProblem::format).singleElement()
					.asString()
					.startsWith("classpath:policies/missing-location.yml:3:15: secure-streams.policy.location: "
							+ "cannot read classpath:policies/nope.json: ")
					.contains("does not exist");
			});
	}

	@Test
	void invalidPropertiesFailAtTheirYamlOrigin() {
		this.runner
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(yaml("policies/invalid-overlay.yml")))
			.run((context) -> {
				assertThat(context).hasFailed();
				PolicyException exception = findCause(context.getStartupFailure(), PolicyException.class);
				assertThat(exception.problems()).hasSize(2);
				assertThat(exception.problems().get(0).format()).startsWith(
						"classpath:policies/invalid-overlay.yml:6:15: "
								+ "secure-streams.policy.streamtypes.mintest.port: ");
				assertThat(exception.problems().get(1).format()).isEqualTo(
						"classpath:policies/invalid-overlay.yml:7:16: secure-streams.policy.streamtypes.mintest.retry: "
								+ "no retry scheme named 'missing' in retry");
				FailureAnalysis analysis = new InvalidPolicyFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("invalid-overlay.yml:6:15");
			});
	}

	@Test
	void validityTimesThatAreNotWholeSecondsAreReportedAtTheirProperty() {
		// The policy keeps them in seconds: before, 500ms became 0, which turns the check off.
		this.runner.withPropertyValues("secure-streams.policy.retry.quick.backoff=100ms",
				"secure-streams.policy.retry.quick.valid-ping=500ms",
				"secure-streams.policy.retry.quick.valid-hangup=1500ms",
				"secure-streams.policy.retry.fine.valid-ping=2000ms",
				"secure-streams.policy.retry.fine.valid-hangup=1m")
			.run((context) -> {
				assertThat(context).hasFailed();
				PolicyException exception = findCause(context.getStartupFailure(), PolicyException.class);
				assertThat(exception.problems()).extracting(PolicyProblem::path)
					.containsExactly("secure-streams.policy.retry.quick.valid-ping",
							"secure-streams.policy.retry.quick.valid-hangup");
				assertThat(exception.problems()).extracting(PolicyProblem::message)
					.containsExactly(
							"500ms is not a whole number of seconds; the policy keeps this time in seconds "
									+ "(for example 1s or 30s)",
							"1500ms is not a whole number of seconds; the policy keeps this time in seconds "
									+ "(for example 1s or 30s)");
			});
		this.runner.withPropertyValues("secure-streams.policy.retry.fine.valid-ping=2000ms",
				"secure-streams.policy.retry.fine.valid-hangup=1m")
			.run((context) -> assertThat(context.getBean(SecureStreams.class).policy().retry().get("fine"))
				.isEqualTo(new RetryPolicy("fine", List.of(), 0, null, 2, 60)));
	}

	@Test
	void mqttKeepAliveIsADurationInWholeSeconds() {
		String type = "secure-streams.policy.streamtypes.broker.";
		ApplicationContextRunner mqtt = this.runner.withPropertyValues(type + "endpoint=127.0.0.1",
				type + "protocol=mqtt", type + "mqtt-topic=t");
		mqtt.withPropertyValues(type + "mqtt-keep-alive=2m")
			.run((context) -> assertThat(context.getBean(SecureStreams.class).policy().streamType("broker").mqtt()
				.keepAlive()).isEqualTo(120));
		mqtt.withPropertyValues(type + "mqtt-keep-alive=45")
			.run((context) -> assertThat(context.getBean(SecureStreams.class).policy().streamType("broker").mqtt()
				.keepAlive()).isEqualTo(45));
		mqtt.withPropertyValues(type + "mqtt-keep-alive=1500ms").run((context) -> {
			assertThat(context).hasFailed();
			PolicyException exception = findCause(context.getStartupFailure(), PolicyException.class);
			assertThat(exception.problems()).extracting(PolicyProblem::path)
				.containsExactly(type + "mqtt-keep-alive");
			assertThat(exception.problems()).extracting(PolicyProblem::message)
				.containsExactly("1500ms is not a whole number of seconds; the policy keeps this time in seconds "
						+ "(for example 1s or 30s)");
		});
		mqtt.withPropertyValues(type + "mqtt-keep-alive=20h").run((context) -> {
			PolicyException exception = findCause(context.getStartupFailure(), PolicyException.class);
			assertThat(exception.problems()).extracting(PolicyProblem::path)
				.containsExactly(type + "mqtt-keep-alive");
		});
	}

	@Test
	void badMetadataPropertiesAreReportedAtTheirProperty() {
		this.runner.withPropertyValues("secure-streams.policy.streamtypes.st.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.st.metadata.ctype=not a header",
				"secure-streams.policy.streamtypes.st.http-resp-map.[700]=1700")
			.run((context) -> {
				assertThat(context).hasFailed();
				PolicyException exception = findCause(context.getStartupFailure(), PolicyException.class);
				assertThat(exception.problems()).extracting(PolicyProblem::path)
					.containsExactlyInAnyOrder("secure-streams.policy.streamtypes.st.metadata[ctype]",
							"secure-streams.policy.streamtypes.st.http-resp-map[700]");
				assertThat(exception.problems()).extracting(PolicyProblem::message)
					.anySatisfy((message) -> assertThat(message).contains("header name", "not a header"))
					.anySatisfy((message) -> assertThat(message).contains("700"));
			});
	}

	@Test
	void danglingReferenceFromPropertiesIsLocatedAtTheProperty() {
		this.runner
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(yaml("policies/dangling.yml")))
			.run((context) -> {
				assertThat(context).hasFailed();
				PolicyException exception = findCause(context.getStartupFailure(), PolicyException.class);
				assertThat(exception.problems()).extracting(PolicyProblem::format)
					.containsExactly(
							"classpath:policies/dangling.yml:17:21: "
									+ "secure-streams.policy.trust-stores[ca.store]: "
									+ "no entry named 'nowhere' in certs",
							"classpath:policies/dangling.yml:19:11: "
									+ "secure-streams.policy.trust-stores[ca.list][0]: "
									+ "no entry named 'first' in certs",
							"classpath:policies/dangling.yml:20:11: "
									+ "secure-streams.policy.trust-stores[ca.list][1]: "
									+ "no entry named 'second' in certs",
							"classpath:policies/dangling.yml:5:16: secure-streams.policy.streamtypes.mintest.retry: "
									+ "no retry scheme named 'missing' in retry",
							"classpath:policies/dangling.yml:8:16: secure-streams.policy.streamtypes.my-type.retry: "
									+ "no retry scheme named 'absent' in retry",
							"classpath:policies/dangling.yml:11:16: "
									+ "secure-streams.policy.streamtypes[under_score].retry: "
									+ "no retry scheme named 'gone' in retry",
							"classpath:policies/dangling.yml:14:16: "
									+ "secure-streams.policy.streamtypes[dot.ted].retry: "
									+ "no retry scheme named 'lost' in retry");
			});
	}

	static PropertySource<?> yaml(String path) {
		try {
			return new YamlPropertySourceLoader().load(path, new ClassPathResource(path)).get(0);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
		for (Throwable current = failure; current != null; current = current.getCause()) {
			if (type.isInstance(current)) {
				return type.cast(current);
			}
		}
		throw new AssertionError("no " + type.getSimpleName() + " in " + failure);
	}

	@Configuration(proxyBeanMethods = false)
	static class UserSecureStreamsConfiguration {

		@Bean(destroyMethod = "close")
		SecureStreams userSecureStreams() {
			return SecureStreams.builder(Policy.empty()).eventLoopThreads(1).build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoSecureStreamsConfiguration {

		@Bean(destroyMethod = "close")
		SecureStreams first() {
			return SecureStreams.builder(Policy.empty()).eventLoopThreads(1).build();
		}

		@Bean(destroyMethod = "close")
		SecureStreams second() {
			return SecureStreams.builder(Policy.empty()).eventLoopThreads(1).build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserPolicyConfiguration {

		@Bean
		Policy userPolicy() {
			return TestPolicies.with("userstream", (type) -> TestPolicies.h1(type, "127.0.0.1", 80, "GET", "/"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserPolicyFetcherConfiguration {

		@Bean
		PolicyFetcher userPolicyFetcher(SecureStreams streams) {
			return new PolicyFetcher(streams, "my_fetch", java.time.Duration.ofSeconds(1), 1000);
		}

	}

}
