package io.securestreams.boot.autoconfigure;

import java.beans.PropertyDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.securestreams.boot.autoconfigure.SecureStreamsProperties.Auth;
import io.securestreams.boot.autoconfigure.SecureStreamsProperties.Cert;
import io.securestreams.boot.autoconfigure.SecureStreamsProperties.Metrics;
import io.securestreams.boot.autoconfigure.SecureStreamsProperties.PolicyProperties;
import io.securestreams.boot.autoconfigure.SecureStreamsProperties.Retry;
import io.securestreams.boot.autoconfigure.SecureStreamsProperties.StreamType;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.json.KeySuggester;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.core.env.Environment;

/**
 * Finds the {@code secure-streams.policy.*} properties that bind to nothing, a misspelt key for
 * example, which Spring's binding ignores: the streamtype would run without the setting, while
 * the same key misspelt in a JSON policy is an error. Each becomes a policy problem at the
 * property's origin, worded as the JSON parser words an unknown key, with the nearest known
 * property as a hint.
 *
 * @author Secure Streams contributors
 */
final class UnknownPolicyProperties {

	private static final String PREFIX = "secure-streams.policy";

	// The properties of each named section, by the section's name under secure-streams.policy.
	private static final Map<String, Class<?>> SECTIONS = Map.of("streamtypes", StreamType.class, "retry",
			Retry.class, "certs", Cert.class, "auth", Auth.class, "metrics", Metrics.class);

	private UnknownPolicyProperties() {
	}

	/**
	 * Returns a problem for each property under {@code secure-streams.policy} that binds to
	 * nothing. Other binding failures are left to the properties' own binding, which reports them.
	 * @param environment the environment
	 * @param locator locates a property's origin
	 * @return the problems, empty when every property binds
	 */
	static List<PolicyProblem> find(Environment environment, PropertyLocator locator) {
		try {
			BindHandler strict = new NoUnboundElementsBindHandler(BindHandler.DEFAULT);
			Binder.get(environment).bind(PREFIX, Bindable.of(PolicyProperties.class), strict);
			return List.of();
		}
		catch (BindException ex) {
			if (!(ex.getCause() instanceof UnboundConfigurationPropertiesException unbound)) {
				return List.of();
			}
			List<PolicyProblem> problems = new ArrayList<>();
			for (ConfigurationProperty property : unbound.getUnboundProperties()) {
				// Spring binds an empty value (a YAML key without one, "location=" to clear what
				// another source sets) as unset, which leaves a known property unbound: no misspelt key.
				if ("".equals(String.valueOf(property.getValue()))
						&& (isKnown(property.getName()) || isMapEntry(property.getName()))) {
					continue;
				}
				problems.add(locator.problem(property.getName().toString(), message(property.getName())));
			}
			return problems;
		}
	}

	// secure-streams.policy.<key>, or secure-streams.policy.<section>.<entry>.<key>, of a known key.
	private static boolean isKnown(ConfigurationPropertyName name) {
		if (name.getNumberOfElements() == 3) {
			return propertyNames(PolicyProperties.class).contains(name.getElement(2, Form.DASHED));
		}
		Class<?> section = SECTIONS.get(name.getElement(2, Form.DASHED));
		return name.getNumberOfElements() == 5 && section != null
				&& propertyNames(section).contains(name.getElement(4, Form.DASHED));
	}

	// secure-streams.policy.<section>.<entry>.<map>.<key> of a known map property (http-resp-map,
	// metadata): an entry without a value is unset too, as a known key without one is.
	private static boolean isMapEntry(ConfigurationPropertyName name) {
		Class<?> section = (name.getNumberOfElements() == 6) ? SECTIONS.get(name.getElement(2, Form.DASHED)) : null;
		if (section == null) {
			return false;
		}
		for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(section)) {
			if (DataObjectPropertyName.toDashedForm(descriptor.getName()).equals(name.getElement(4, Form.DASHED))) {
				return Map.class.isAssignableFrom(descriptor.getPropertyType());
			}
		}
		return false;
	}

	private static String message(ConfigurationPropertyName name) {
		// secure-streams.policy.<key>, or secure-streams.policy.<section>.<entry>.<key>[...]
		Class<?> section = (name.getNumberOfElements() > 4) ? SECTIONS.get(name.getElement(2, Form.DASHED)) : null;
		if (section == null) {
			return unknown("policy property", name.getElement(2, Form.DASHED), PolicyProperties.class);
		}
		String what = name.getElement(2, Form.DASHED).equals("streamtypes") ? "streamtype property"
				: name.getElement(2, Form.DASHED) + " property";
		return unknown(what, name.getElement(4, Form.DASHED), section);
	}

	private static String unknown(String what, String key, Class<?> type) {
		Set<String> known = propertyNames(type);
		if (known.contains(key)) {
			// Known, but given parts it does not have, such as a nested key under a plain value.
			return what + " '" + key + "' takes no nested keys";
		}
		return KeySuggester.unknownKey(what, key, known);
	}

	private static Set<String> propertyNames(Class<?> type) {
		Set<String> names = new LinkedHashSet<>();
		for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
			if (descriptor.getReadMethod() != null && !descriptor.getName().equals("class")) {
				names.add(DataObjectPropertyName.toDashedForm(descriptor.getName()));
			}
		}
		return names;
	}

}
