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
import org.springframework.beans.factory.BeanNameAware;
import org.springframework.beans.factory.HierarchicalBeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.BeanDefinition;
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
 * <p>
 * The definitions it registers are factory methods of this registrar's own bean ({@link #policy()},
 * {@link #streamType(String)}), not instance suppliers, so that ahead-of-time processing can
 * write them as code. In an application run from that code this registrar still runs first: it
 * reads the policy of the run's own environment, which the policy bean then returns, keeps the
 * streamtype beans written at build time and registers one for each streamtype added since.
 *
 * @author Secure Streams contributors
 */
final class StreamTypeBeansRegistrar
		implements BeanDefinitionRegistryPostProcessor, EnvironmentAware, BeanFactoryAware, BeanNameAware {

	/** Name of the policy bean registered from the properties. */
	static final String POLICY_BEAN_NAME = "secureStreamsPolicy";

	private static final Log logger = LogFactory.getLog(StreamTypeBeansRegistrar.class);

	private @Nullable Environment environment;

	private @Nullable BeanFactory beanFactory;

	private @Nullable String beanName;

	private @Nullable Policy policy;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
		this.beanFactory = beanFactory;
	}

	@Override
	public void setBeanName(String name) {
		this.beanName = name;
	}

	@Override
	public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) throws BeansException {
		Assert.state(this.environment != null && this.beanFactory != null && this.beanName != null,
				"not initialized");
		SecureStreamsProperties properties = SecureStreamsPolicyLoader.bind(this.environment);
		Policy loaded = new SecureStreamsPolicyLoader(this.environment).load(properties.getPolicy());
		this.policy = loaded;
		if (!hasUserPolicy(registry)) {
			registry.registerBeanDefinition(POLICY_BEAN_NAME, factoryMethod(Policy.class, "policy"));
		}
		for (String name : loaded.streamTypes().keySet()) {
			if (registry.containsBeanDefinition(name) && isStreamTypeBean(registry.getBeanDefinition(name))) {
				continue; // written ahead of time for this streamtype
			}
			// A name in use includes the singletons the context registers itself ("environment",
			// "systemProperties"): a definition of that name would replace them.
			if (registry.isBeanNameInUse(name) || this.beanFactory.containsBean(name)) {
				if (!registry.isBeanNameInUse(name) && isParentStreamTypeBean(name)) {
					continue; // a parent context's bean for this streamtype, which serves this context too
				}
				logger.warn("Not registering a SecureStreamType bean for streamtype '" + name
						+ "': a bean of that name exists");
				continue;
			}
			RootBeanDefinition definition = factoryMethod(SecureStreamType.class, "streamType");
			definition.getConstructorArgumentValues().addIndexedArgumentValue(0, name);
			registry.registerBeanDefinition(name, definition);
		}
	}

	private RootBeanDefinition factoryMethod(Class<?> type, String method) {
		RootBeanDefinition definition = new RootBeanDefinition();
		definition.setTargetType(type);
		definition.setFactoryBeanName(this.beanName);
		definition.setFactoryMethodName(method);
		return definition;
	}

	// Ahead-of-time code keeps the factory bean and the type but calls the method from code.
	private boolean isStreamTypeBean(BeanDefinition definition) {
		return this.beanName != null && this.beanName.equals(definition.getFactoryBeanName())
				&& definition.getResolvableType().toClass() == SecureStreamType.class;
	}

	private boolean isParentStreamTypeBean(String name) {
		BeanFactory parent = (this.beanFactory instanceof HierarchicalBeanFactory hierarchical)
				? hierarchical.getParentBeanFactory() : null;
		return parent != null && parent.containsBean(name) && parent.isTypeMatch(name, SecureStreamType.class);
	}

	/**
	 * Returns the policy read from the environment: the factory method of the policy bean.
	 * @return the policy
	 */
	Policy policy() {
		Assert.state(this.policy != null, "the policy is read when bean definitions are registered");
		return this.policy;
	}

	/**
	 * Returns the bean of one streamtype: the factory method of the streamtype beans.
	 * @param name the streamtype
	 * @return its bean
	 */
	SecureStreamType streamType(String name) {
		BeanFactory factory = this.beanFactory;
		Assert.state(factory != null, "not initialized");
		return new SecureStreamType(name, () -> factory.getBean(SecureStreams.class));
	}

	private static boolean hasUserPolicy(BeanDefinitionRegistry registry) {
		if (registry.containsBeanDefinition(POLICY_BEAN_NAME)) {
			return true;
		}
		return registry instanceof ListableBeanFactory listable
				&& listable.getBeanNamesForType(Policy.class, true, false).length > 0;
	}

}
