package io.securestreams.boot.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;

/**
 * Includes the policy JSON resource named by {@code secure-streams.policy.location} in a native
 * image, when it is on the class path: a native image holds only the resources it is told of, and
 * the policy is read from it again when the application starts.
 *
 * @author Secure Streams contributors
 */
final class PolicyResourceAotProcessor implements BeanFactoryInitializationAotProcessor {

	@Override
	public @Nullable BeanFactoryInitializationAotContribution processAheadOfTime(
			ConfigurableListableBeanFactory beanFactory) {
		// Only for an application that uses the auto-configuration (and so reads that property).
		if (beanFactory.getBeanNamesForType(StreamTypeBeansRegistrar.class, true, false).length == 0
				|| !beanFactory.containsBean("environment")) {
			return null;
		}
		Environment environment = beanFactory.getBean("environment", Environment.class);
		Resource location = SecureStreamsPolicyLoader.bind(environment).getPolicy().getLocation();
		if (!(location instanceof ClassPathResource resource)) {
			return null;
		}
		return (generationContext, code) -> generationContext.getRuntimeHints().resources().registerResource(resource);
	}

}
