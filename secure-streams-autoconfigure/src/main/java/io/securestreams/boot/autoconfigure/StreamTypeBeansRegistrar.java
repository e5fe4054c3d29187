package io.securestreams.boot.autoconfigure;

import io.securestreams.SecureStreams;
import io.securestreams.boot.SecureStreamType;
import io.securestreams.policy.Policy;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.util.Assert;

/**
 * Reads the policy while bean definitions are still being registered (with a {@code Binder}
 * over the environment, and the JSON resource), registers it as the {@code secureStreamsPolicy}
 * bean unless the application defines a {@link Policy} bean, and registers one
 * {@link SecureStreamType} bean per streamtype, named after it. An invalid policy fails here,
 * before any bean is created, with a {@link io.securestreams.policy.PolicyException}.
 *
 * @author Secure Streams contributors
 */
final class StreamTypeBeansRegistrar implements BeanDefinitionRegistryPostProcessor, EnvironmentAware, BeanFactoryAware {

	/** Name of the policy bean registered from the properties. */
	static final String POLICY_BEAN_NAME = "secureStreamsPolicy";

	private static final Log logger = LogFactory.getLog(StreamTypeBeansRegistrar.class);

	private @Nullable Environment environment;

	private @Nullable BeanFactory beanFactory;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
		this.beanFactory = beanFactory;
	}

	@Override
	public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) throws BeansException {
		Assert.state(this.environment != null && this.beanFactory != null, "not initialized");
		SecureStreamsProperties properties = SecureStreamsPolicyLoader.bind(this.environment);
		Policy policy = new SecureStreamsPolicyLoader(this.environment).load(properties.getPolicy());
		if (!hasUserPolicy(registry)) {
			RootBeanDefinition definition = new RootBeanDefinition(Policy.class, () -> policy);
			registry.registerBeanDefinition(POLICY_BEAN_NAME, definition);
		}
		BeanFactory factory = this.beanFactory;
		for (String name : policy.streamTypes().keySet()) {
			// A name in use includes the singletons the context registers itself ("environment",
			// "systemProperties"): a definition of that name would replace them.
			if (registry.isBeanNameInUse(name) || factory.containsBean(name)) {
				logger.warn("Not registering a SecureStreamType bean for streamtype '" + name
						+ "': a bean of that name exists");
				continue;
			}
			RootBeanDefinition definition = new RootBeanDefinition(SecureStreamType.class,
					() -> new SecureStreamType(name, () -> factory.getBean(SecureStreams.class)));
			registry.registerBeanDefinition(name, definition);
		}
	}

	private static boolean hasUserPolicy(BeanDefinitionRegistry registry) {
		if (registry.containsBeanDefinition(POLICY_BEAN_NAME)) {
			return true;
		}
		return registry instanceof ListableBeanFactory listable
				&& listable.getBeanNamesForType(Policy.class, true, false).length > 0;
	}

}
