package io.securestreams.metadata;

import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * Expands {@code ${name}} references to metadata values, as libwebsockets does for
 * {@code endpoint}, {@code http_url} and the MQTT topics. A {@code $} not followed by <code>{</code>
 * is literal; a declared but unset name expands to nothing; an undeclared name is an error.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class MetadataTemplate {

	/** Longest name inside {@code ${...}}, as in the C implementation. */
	public static final int MAX_NAME_LENGTH = 31;

	private MetadataTemplate() {
	}

	/**
	 * Expands a template.
	 * @param template the text, may be {@code null}
	 * @param values returns the current value of a declared name ({@code null} when unset), and
	 * throws nothing
	 * @param declared tells whether a name is declared by the streamtype
	 * @return the expanded text, or {@code null} for a {@code null} template
	 * @throws IllegalArgumentException naming the offending reference when a name is undeclared,
	 * too long or unterminated
	 */
	public static @Nullable String expand(@Nullable String template, Function<String, @Nullable String> values,
			java.util.function.Predicate<String> declared) {
		if (template == null || template.indexOf("${") < 0) {
			return template;
		}
		StringBuilder out = new StringBuilder(template.length() + 32);
		int i = 0;
		while (i < template.length()) {
			char c = template.charAt(i);
			if (c == '$' && i + 1 < template.length() && template.charAt(i + 1) == '{') {
				int end = template.indexOf('}', i + 2);
				if (end < 0) {
					throw new IllegalArgumentException("unterminated '${' in \"" + template + "\"");
				}
				String name = template.substring(i + 2, end);
				if (name.length() > MAX_NAME_LENGTH) {
					throw new IllegalArgumentException("metadata reference '${" + name + "}' is longer than "
							+ MAX_NAME_LENGTH + " characters");
				}
				if (!declared.test(name)) {
					throw new IllegalArgumentException("'${" + name
							+ "}' names metadata the streamtype does not declare");
				}
				String value = values.apply(name);
				if (value != null) {
					out.append(value);
				}
				i = end + 1;
			}
			else {
				out.append(c);
				i++;
			}
		}
		return out.toString();
	}

}
