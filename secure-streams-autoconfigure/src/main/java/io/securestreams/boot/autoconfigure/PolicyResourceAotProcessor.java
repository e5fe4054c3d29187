package io.securestreams.boot.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import io.securestreams.boot.autoconfigure.SecureStreamsProperties.PolicyProperties;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;

/**
 * Includes the policy JSON resource named by {@code secure-streams.policy.location} and the
 * certificate and key files named by {@code secure-streams.policy.certs.<name>.location} in a
 * native image, when they are on the class path: a native image holds only the resources it is
 * told of, and the policy is read from them again when the application starts.
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
		PolicyProperties policy = SecureStreamsPolicyLoader.bind(environment).getPolicy();
		List<ClassPathResource> resources = new ArrayList<>();
		addIfOnClassPath(resources, policy.getLocation());
		policy.getCerts().values().forEach((cert) -> addIfOnClassPath(resources, cert.getLocation()));
		if (resources.isEmpty()) {
			return null;
		}
		return (generationContext, code) -> resources
			.forEach((resource) -> generationContext.getRuntimeHints().resources().registerResource(resource));
	}

	private static void addIfOnClassPath(List<ClassPathResource> resources, @Nullable Resource location) {
		if (location instanceof ClassPathResource resource) {
			resources.add(resource);
		}
	}

}
