package io.securestreams.boot.autoconfigure;

import io.securestreams.policy.PolicyProblem;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;

/**
 * Turns a property name into a located {@link PolicyProblem}, using the origin Spring Boot
 * tracked for the property (file, line and column of an {@code application.yml} entry).
 *
 * @author Secure Streams contributors
 */
final class PropertyLocator {

	private final Iterable<ConfigurationPropertySource> sources;

	PropertyLocator(Environment environment) {
		this.sources = ConfigurationPropertySources.get(environment);
	}

	/**
	 * Returns whether a property, or any property below it, is set.
	 * @param propertyName the name
	 * @return {@code true} when set
	 */
	boolean isSet(String propertyName) {
		return find(propertyName) != null;
	}

	/**
	 * Creates an error about a property, located at its origin when known.
	 * @param propertyName the property name, for example
	 * {@code secure-streams.policy.streamtypes[mintest].port}
	 * @param message what is wrong
	 * @return the problem
	 */
	PolicyProblem problem(String propertyName, String message) {
		PolicyProblem problem = PolicyProblem.error(propertyName, message);
		ConfigurationProperty property = find(propertyName);
		TextResourceOrigin origin = (property != null) ? textOrigin(property.getOrigin()) : null;
		if (origin != null && origin.getResource() != null) {
			TextResourceOrigin.Location location = origin.getLocation();
			return problem.at(describe(origin.getResource()), (location != null) ? location.getLine() + 1 : 0,
					(location != null) ? location.getColumn() + 1 : 0, propertyName);
		}
		if (property != null && property.getOrigin() != null) {
			return problem.at(String.valueOf(property.getOrigin()), 0, 0, propertyName);
		}
		return problem.at("<properties>", 0, 0, propertyName);
	}

	private @Nullable ConfigurationProperty find(String propertyName) {
		ConfigurationPropertyName name = ConfigurationPropertyName.of(propertyName);
		for (ConfigurationPropertySource source : this.sources) {
			ConfigurationProperty property = source.getConfigurationProperty(name);
			if (property != null) {
				return property;
			}
			if (source instanceof IterableConfigurationPropertySource iterable) {
				for (ConfigurationPropertyName candidate : iterable) {
					if (name.isAncestorOf(candidate)) {
						return iterable.getConfigurationProperty(candidate);
					}
				}
			}
		}
		return null;
	}

	private static @Nullable TextResourceOrigin textOrigin(@Nullable Origin origin) {
		for (Origin current = origin; current != null; current = current.getParent()) {
			if (current instanceof TextResourceOrigin text) {
				return text;
			}
			if (current instanceof PropertySourceOrigin wrapper && wrapper.getOrigin() != null) {
				return textOrigin(wrapper.getOrigin());
			}
		}
		return null;
	}

	static String describe(Resource resource) {
		if (resource instanceof ClassPathResource classPath) {
			return "classpath:" + classPath.getPath();
		}
		if (resource.isFile()) {
			try {
				return resource.getFile().getPath();
			}
			catch (java.io.IOException ex) {
				return resource.getDescription();
			}
		}
		return resource.getDescription();
	}

}
