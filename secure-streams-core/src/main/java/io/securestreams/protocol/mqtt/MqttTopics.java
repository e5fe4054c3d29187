package io.securestreams.protocol.mqtt;

import java.nio.charset.StandardCharsets;

/**
 * MQTT 3.1.1 topic names and topic filters (section 4.7 of the specification): checks their
 * syntax and tells whether a filter matches a topic. {@code +} matches exactly one level,
 * {@code #} (last, alone in its level) matches the parent level and any number of child levels,
 * and a filter that starts with a wildcard does not match topics that start with {@code $}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class MqttTopics {

	/** The longest topic or filter, in UTF-8 bytes. */
	public static final int MAX_LENGTH = 65535;

	private MqttTopics() {
	}

	/**
	 * Checks a topic filter as used in SUBSCRIBE.
	 * @param filter the filter
	 * @throws IllegalArgumentException with the reason when it is not a valid filter
	 */
	public static void checkFilter(String filter) {
		checkCommon(filter, "topic filter");
		for (int i = 0; i < filter.length(); i++) {
			char c = filter.charAt(i);
			boolean levelStart = i == 0 || filter.charAt(i - 1) == '/';
			boolean levelEnd = i == filter.length() - 1 || filter.charAt(i + 1) == '/';
			if (c == '+' && !(levelStart && levelEnd)) {
				throw new IllegalArgumentException("topic filter \"" + filter + "\": '+' must occupy a whole level");
			}
			if (c == '#' && !(levelStart && i == filter.length() - 1)) {
				throw new IllegalArgumentException(
						"topic filter \"" + filter + "\": '#' must be the last character and occupy a whole level");
			}
		}
	}

	/**
	 * Checks a topic name as used in PUBLISH (no wildcards).
	 * @param topic the topic
	 * @throws IllegalArgumentException with the reason when it is not a valid topic name
	 */
	public static void checkTopicName(String topic) {
		checkCommon(topic, "topic name");
		if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
			throw new IllegalArgumentException("topic name \"" + topic + "\" must not contain the wildcards + or #");
		}
	}

	private static void checkCommon(String text, String what) {
		if (text.isEmpty()) {
			throw new IllegalArgumentException("an MQTT " + what + " must not be empty");
		}
		if (text.indexOf('\0') >= 0) {
			throw new IllegalArgumentException("MQTT " + what + " \"" + text + "\" must not contain NUL");
		}
		if (text.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
			throw new IllegalArgumentException("MQTT " + what + " is longer than " + MAX_LENGTH + " bytes");
		}
	}

	/**
	 * Returns whether a topic filter matches a topic name.
	 * @param filter a valid filter
	 * @param topic a topic name from a PUBLISH
	 * @return {@code true} when messages on {@code topic} are delivered to subscribers of
	 * {@code filter}
	 */
	public static boolean matches(String filter, String topic) {
		if (!topic.isEmpty() && topic.charAt(0) == '$' && !filter.isEmpty()
				&& (filter.charAt(0) == '+' || filter.charAt(0) == '#')) {
			return false;
		}
		int f = 0;
		int t = 0;
		while (true) {
			int filterEnd = levelEnd(filter, f);
			String level = filter.substring(f, filterEnd);
			if (level.equals("#")) {
				return true;
			}
			int topicEnd = levelEnd(topic, t);
			if (!level.equals("+") && !filter.regionMatches(f, topic, t, Math.max(level.length(), topicEnd - t))) {
				return false;
			}
			boolean filterDone = filterEnd >= filter.length();
			boolean topicDone = topicEnd >= topic.length();
			if (filterDone || topicDone) {
				// "a/#" also matches "a": the topic ended and the filter's only remaining level is "#".
				return (filterDone && topicDone) || (topicDone && filter.startsWith("#", filterEnd + 1)
						&& filterEnd + 2 == filter.length());
			}
			f = filterEnd + 1;
			t = topicEnd + 1;
		}
	}

	private static int levelEnd(String text, int start) {
		int slash = text.indexOf('/', start);
		return (slash < 0) ? text.length() : slash;
	}

}
