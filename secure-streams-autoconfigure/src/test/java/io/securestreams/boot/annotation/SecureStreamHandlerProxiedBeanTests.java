package io.securestreams.boot.annotation;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.boot.annotation.SecureStreamHandler.Start;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.aopalliance.intercept.MethodInterceptor;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.aop.Advisor;
import org.springframework.aop.config.AopConfigUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SecureStreamHandler} beans wrapped in AOP proxies, as {@code @Transactional} or
 * {@code @Timed} wrap them: the handler methods are called through the proxy, with the
 * annotations of the bean's class (state filters, {@code @Flags}, {@code @Metadata}), whether
 * the proxy is a JDK interface proxy or a CGLIB subclass.
 */
class SecureStreamHandlerProxiedBeanTests {

	private final MockWebServer server = new MockWebServer();

	private ApplicationContextRunner runner;

	@BeforeEach
	void start() throws Exception {
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		String type = "secure-streams.policy.streamtypes.get.";
		this.runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
			.withUserConfiguration(CountingAdviceConfiguration.class)
			.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
					type + "endpoint=127.0.0.1", type + "port=" + this.server.getPort(), type + "http-method=GET",
					type + "http-url=/data", type + "opportunistic=true", type + "metadata.ctype=content-type:");
	}

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void handlerBehindACglibProxyIsCalledThroughItWithItsClassAnnotations() {
		assertProxiedHandlerIsDriven(true, "classAnnotatedHandler", ClassAnnotatedHandler.class);
	}

	@Test
	void handlerWithPackagePrivateMethodsBehindACglibProxyIsCalledThroughIt() {
		assertProxiedHandlerIsDriven(true, "packagePrivateHandler", PackagePrivateHandler.class);
	}

	@Test
	void handlerBehindAJdkProxyIsCalledThroughItWithItsInterfaceAnnotations() {
		assertProxiedHandlerIsDriven(false, "interfaceAnnotatedHandler", InterfaceAnnotatedHandler.class);
	}

	@Test
	void handlerBehindAJdkProxyWithAnnotationsOnlyOnItsClassFailsNamingTheMethods() {
		// Before, the proxy's interface methods were inspected without the class's annotations:
		// start-up failed with "only one payload parameter is allowed" for @Flags and @Metadata,
		// and an @OnState("CONNECTED") method without them was called for every state.
		this.runner.withBean(AutoProxyCreatorRegistrar.class, () -> new AutoProxyCreatorRegistrar(false))
			.withBean("classAnnotatedHandler", ClassAnnotatedHandler.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("method 'ClassAnnotatedHandler.")
					.hasMessageContaining("on bean 'classAnnotatedHandler': the bean is an interface-based (JDK) proxy")
					.hasMessageContaining("called through 'Probe.")
					.hasMessageContaining("spring.aop.proxy-target-class=true");
			});
		this.runner.withBean(AutoProxyCreatorRegistrar.class, () -> new AutoProxyCreatorRegistrar(false))
			.withBean("stateOnlyHandler", StateOnlyHandler.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("Invalid @OnState method 'StateOnlyHandler.state(StreamState)' on bean "
							+ "'stateOnlyHandler': the bean is an interface-based (JDK) proxy");
			});
	}

	private void assertProxiedHandlerIsDriven(boolean proxyTargetClass, String beanName,
			Class<? extends RecordingHandler> type) {
		this.server.enqueue(new MockResponse.Builder().code(200)
			.setHeader("content-type", "text/plain")
			.body("hello")
			.build());
		this.runner.withBean(AutoProxyCreatorRegistrar.class, () -> new AutoProxyCreatorRegistrar(proxyTargetClass))
			.withBean(beanName, type)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Object bean = context.getBean(beanName);
				assertThat(proxyTargetClass ? AopUtils.isCglibProxy(bean) : AopUtils.isJdkDynamicProxy(bean)).isTrue();
				RecordingHandler handler = (RecordingHandler) ((org.springframework.aop.framework.Advised) bean)
					.getTargetSource()
					.getTarget();
				Awaitility.await().until(() -> handler.states.contains("QOS_ACK_REMOTE"));
				// Only the states the method names, not every state.
				assertThat(handler.states).containsExactly("CONNECTED", "QOS_ACK_REMOTE");
				assertThat(handler.contentTypes).contains("text/plain");
				assertThat(handler.flags).last().isEqualTo(StreamFlags.EOM);
				assertThat(context.getBean(CountingAdviceConfiguration.class).calls.get())
					.isEqualTo(handler.states.size() + handler.flags.size());
			});
	}

	/** The interface a JDK proxy exposes. */
	interface Probe {

		void state(StreamState state);

		void rx(byte[] chunk, int flags, String contentType);

	}

	/** Marks the beans the counting advice wraps, as {@code @Transactional} would. */
	@java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
	@java.lang.annotation.Target(java.lang.annotation.ElementType.TYPE)
	@interface Advised {

	}

	interface StateProbe {

		void state(StreamState state);

	}

	@Advised
	@SecureStreamHandler("get")
	static class StateOnlyHandler implements StateProbe {

		@Override
		@OnState("CONNECTED")
		public void state(StreamState state) {
		}

	}

	/** The interface a JDK proxy exposes, with the handler annotations. */
	interface AnnotatedProbe {

		@OnState({ "CONNECTED", "QOS_ACK_REMOTE" })
		void state(StreamState state);

		@OnRx
		void rx(byte[] chunk, @Flags int flags, @Metadata("ctype") String contentType);

	}

	abstract static class RecordingHandler {

		final List<String> states = new CopyOnWriteArrayList<>();

		final List<Integer> flags = new CopyOnWriteArrayList<>();

		final List<String> contentTypes = new CopyOnWriteArrayList<>();

	}

	@Advised
	@SecureStreamHandler(streamtype = "get", start = Start.REQUEST_TX)
	static class ClassAnnotatedHandler extends RecordingHandler implements Probe {

		@Override
		@OnState({ "CONNECTED", "QOS_ACK_REMOTE" })
		public void state(StreamState state) {
			this.states.add(state.name());
		}

		@Override
		@OnRx
		public void rx(byte[] chunk, @Flags int flags, @Metadata("ctype") String contentType) {
			this.flags.add(flags);
			this.contentTypes.add(contentType);
		}

	}

	@Advised
	@SecureStreamHandler(streamtype = "get", start = Start.REQUEST_TX)
	static class PackagePrivateHandler extends RecordingHandler {

		@OnState({ "CONNECTED", "QOS_ACK_REMOTE" })
		void state(StreamState state) {
			this.states.add(state.name());
		}

		@OnRx
		void rx(byte[] chunk, @Flags int flags, @Metadata("ctype") String contentType) {
			this.flags.add(flags);
			this.contentTypes.add(contentType);
		}

	}

	@Advised
	@SecureStreamHandler(streamtype = "get", start = Start.REQUEST_TX)
	static class InterfaceAnnotatedHandler extends RecordingHandler implements AnnotatedProbe {

		@Override
		public void state(StreamState state) {
			this.states.add(state.name());
		}

		@Override
		public void rx(byte[] chunk, int flags, String contentType) {
			this.flags.add(flags);
			this.contentTypes.add(contentType);
		}

	}

	/** Registers the auto-proxy creator {@code @EnableTransactionManagement} registers. */
	record AutoProxyCreatorRegistrar(boolean proxyTargetClass) implements BeanDefinitionRegistryPostProcessor {

		@Override
		public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
			AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
			if (this.proxyTargetClass) {
				AopConfigUtils.forceAutoProxyCreatorToUseClassProxying(registry);
			}
		}

		@Override
		public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
		}

	}

	/** An infrastructure advisor that counts the calls to {@link Advised} beans. */
	@Configuration(proxyBeanMethods = false)
	static class CountingAdviceConfiguration {

		final AtomicInteger calls = new AtomicInteger();

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		Advisor countingAdvisor() {
			MethodInterceptor counting = (invocation) -> {
				this.calls.incrementAndGet();
				return invocation.proceed();
			};
			return new DefaultPointcutAdvisor(new AnnotationMatchingPointcut(Advised.class, true), counting);
		}

	}

}
