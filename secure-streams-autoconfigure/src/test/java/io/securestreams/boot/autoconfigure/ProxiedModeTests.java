package io.securestreams.boot.autoconfigure;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.securestreams.SecureStreams;
import io.securestreams.boot.actuate.endpoint.SecureStreamsEndpoint;
import io.securestreams.boot.actuate.endpoint.SecureStreamsEndpoint.StreamTypeDescriptor;
import io.securestreams.boot.actuate.endpoint.SecureStreamsEndpoint.StreamTypeStreamsDescriptor;
import io.securestreams.boot.actuate.endpoint.SecureStreamsEndpoint.StreamsDescriptor;
import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpoint;
import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpointWebExtension;
import io.securestreams.boot.annotation.OnRx;
import io.securestreams.boot.annotation.OnState;
import io.securestreams.boot.annotation.SecureStreamHandler;
import io.securestreams.boot.annotation.SecureStreamHandler.Start;
import io.securestreams.boot.autoconfigure.actuate.SecureStreamsEndpointAutoConfiguration;
import io.securestreams.boot.autoconfigure.health.SecureStreamsHealthContributorAutoConfiguration;
import io.securestreams.boot.health.SecureStreamsHealthIndicator;
import io.securestreams.policy.Policy;
import io.securestreams.proxy.ProxyAddress;
import io.securestreams.proxy.SecureStreamsProxy;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.TestPolicies;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code secure-streams.proxy.address}: handler streams fulfilled by a Secure Streams proxy that
 * holds the policy.
 */
class ProxiedModeTests {

	private final MockWebServer server = new MockWebServer();

	private SecureStreamsProxy proxy;

	@BeforeEach
	void start() throws Exception {
		this.server.setDispatcher(new HttpbinDispatcher());
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		Policy policy = TestPolicies.with("bytes",
				(type) -> TestPolicies.h1(type, "127.0.0.1", this.server.getPort(), "GET", "/bytes/12"));
		this.proxy = SecureStreamsProxy.builder(policy).listen(ProxyAddress.parse("127.0.0.1:0")).start();
	}

	@AfterEach
	void stop() {
		this.proxy.close();
		this.server.close();
	}

	@Test
	void handlerStreamsAreFulfilledByTheProxy() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class,
					SecureStreamsEndpointAutoConfiguration.class))
			.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
					"secure-streams.proxy.address=" + this.proxy.address(),
					"management.endpoints.web.exposure.include=securestreamspolicy")
			.withBean(ProxiedHandler.class)
			.run((context) -> {
				assertThat(context.getBean(SecureStreams.class).isProxied()).isTrue();
				ProxiedHandler handler = context.getBean(ProxiedHandler.class);
				Awaitility.await().until(() -> handler.states.contains("QOS_ACK_REMOTE"));
				assertThat(handler.received).hasSize(1).first().asString().hasSize(12);
				SecureStreamsPolicyEndpointWebExtension web = context
					.getBean(SecureStreamsPolicyEndpointWebExtension.class);
				assertThat(web.applyOverlay("{}").getStatus()).isEqualTo(409);
				assertThat(web.resetOverlays().getStatus()).isEqualTo(409);
				assertThat(web.fetch("fetch").getStatus()).isEqualTo(409);
				assertThat(context.getBean(SecureStreamsPolicyEndpoint.class).policy().policy()).isEmpty();
			});
	}

	@Test
	void theStreamsEndpointSummarizesTheStreamTypesOfTheLiveStreams() {
		// The context's own policy is empty in proxied mode: before, streamTypes was always {}
		// and every streamtype was 404.
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class,
					SecureStreamsEndpointAutoConfiguration.class))
			.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
					"secure-streams.proxy.address=" + this.proxy.address(),
					"management.endpoints.web.exposure.include=securestreams")
			.withBean(ProxiedHandler.class)
			.run((context) -> {
				ProxiedHandler handler = context.getBean(ProxiedHandler.class);
				Awaitility.await().until(() -> handler.states.contains("QOS_ACK_REMOTE"));
				SecureStreamsEndpoint endpoint = context.getBean(SecureStreamsEndpoint.class);
				StreamsDescriptor all = endpoint.streams();
				assertThat(all.streams()).hasSize(1);
				assertThat(all.streamTypes()).containsOnlyKeys("bytes");
				StreamTypeDescriptor bytes = all.streamTypes().get("bytes");
				assertThat(bytes.streams()).isEqualTo(1);
				assertThat(bytes.protocol()).isNull();
				assertThat(bytes.bytesIn()).isEqualTo(12);
				assertThat(bytes.states()).containsOnlyKeys(all.streams().get(0).state());
				StreamTypeStreamsDescriptor one = endpoint.streamType("bytes");
				assertThat(one).isNotNull();
				assertThat(one.summary()).isEqualTo(bytes);
				assertThat(one.streams()).singleElement().satisfies((stream) -> assertThat(stream.streamType())
					.isEqualTo("bytes"));
				assertThat(endpoint.streamType("absent")).isNull();
			});
	}

	@Test
	void healthIsDownWhileTheProxyCannotBeReached() throws Exception {
		int closed;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			closed = socket.getLocalPort();
		}
		ApplicationContextRunner runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class,
					SecureStreamsHealthContributorAutoConfiguration.class))
			.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s")
			.withBean(ProxiedHandler.class);
		runner.withPropertyValues("secure-streams.proxy.address=127.0.0.1:" + closed).run((context) -> {
			ProxiedHandler handler = context.getBean(ProxiedHandler.class);
			Awaitility.await().until(() -> handler.states.contains("UPSTREAM_LINK_RETRY"));
			Health health = context.getBean(SecureStreamsHealthIndicator.class).health(true);
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails()).containsEntry("proxied", true).containsKey("proxyUnreachable");
			assertThat(health.getDetails().get("proxyUnreachable").toString()).contains("streamType=bytes");
		});
		runner.withPropertyValues("secure-streams.proxy.address=" + this.proxy.address()).run((context) -> {
			ProxiedHandler handler = context.getBean(ProxiedHandler.class);
			Awaitility.await().until(() -> handler.states.contains("QOS_ACK_REMOTE"));
			Health health = context.getBean(SecureStreamsHealthIndicator.class).health(true);
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("proxied", true).containsEntry("streams", 1);
		});
	}

	@Test
	void viaSocks5SendsTheLinksThroughTheSocks5Proxy() throws Exception {
		int closed;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			closed = socket.getLocalPort();
		}
		// The proxy is up, but the links must go through a SOCKS5 proxy nobody runs.
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
			.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
					"secure-streams.proxy.address=" + this.proxy.address(),
					"secure-streams.proxy.via-socks5=127.0.0.1:" + closed)
			.withBean(ProxiedHandler.class)
			.run((context) -> {
				ProxiedHandler handler = context.getBean(ProxiedHandler.class);
				Awaitility.await().until(() -> handler.states.stream()
					.filter("UPSTREAM_LINK_RETRY"::equals)
					.count() >= 2);
				assertThat(handler.states).containsOnly("UPSTREAM_LINK_RETRY");
				assertThat(this.proxy.links()).isEmpty();
			});
	}

	@Test
	void viaSocks5IsRefusedAtItsPropertyWhereItCannotApply() {
		assertViaSocks5Refused(
				(failure) -> assertThat(failure.getReason()).contains("secure-streams.proxy.address, which is not set"),
				"secure-streams.proxy.via-socks5=127.0.0.1:1080");
		assertViaSocks5Refused((failure) -> assertThat(failure.getReason()).contains("is a Unix socket"),
				"secure-streams.proxy.address=+/tmp/ss.sock", "secure-streams.proxy.via-socks5=127.0.0.1:1080");
		assertViaSocks5Refused((failure) -> assertThat(failure.getValue()).isEqualTo("127.0.0.1"),
				"secure-streams.proxy.address=127.0.0.1:1234", "secure-streams.proxy.via-socks5=127.0.0.1");
	}

	private static void assertViaSocks5Refused(Consumer<InvalidConfigurationPropertyValueException> check,
			String... properties) {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
			.withPropertyValues("secure-streams.event-loop-threads=1")
			.withPropertyValues(properties)
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = SecureStreamsAutoConfigurationTests
					.findCause(context.getStartupFailure(), InvalidConfigurationPropertyValueException.class);
				assertThat(failure.getName()).isEqualTo("secure-streams.proxy.via-socks5");
				check.accept(failure);
			});
	}

	@SecureStreamHandler(streamtype = "bytes", start = Start.REQUEST_TX)
	static class ProxiedHandler {

		final List<String> states = new CopyOnWriteArrayList<>();

		final List<String> received = new CopyOnWriteArrayList<>();

		@OnState
		void state(io.securestreams.StreamState state) {
			this.states.add(state.name());
		}

		@OnRx
		void rx(byte[] payload) {
			if (payload.length > 0) {
				this.received.add(new String(payload, java.nio.charset.StandardCharsets.UTF_8));
			}
		}

	}

}
