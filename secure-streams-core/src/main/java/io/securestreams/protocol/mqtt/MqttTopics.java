package io.securestreams.protocol.mqtt;

import java.nio.charset.StandardCharsets;

/**
 * MQTT 3.1.1 topic names and topic filters (section 4.7 of the specification): checks their
 * syntax and tells whether a filter matches a topic. {@code +} matches exactly one level,
 * {@code #} (last, alone in its level) matches the parent level and any number of child levels,
 * and a filter that starts with a wildcard does not match topics that start with {@code $}.
 * Neither may be empty or hold U+0000, nor U+FFFD, which received topics may not hold either.
 * <p>
 * A streamtype's {@code mqtt_topic} and {@code mqtt_subscribe} follow stricter rules
 * ({@link #checkStreamTopic}, {@link #checkStreamFilter}): a filter may only start with
 * {@code $} (a broker's reserved topics) when the streamtype sets {@code aws_iot}, and with
 * {@code aws_iot} the limits of AWS IoT Core apply to both.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class MqttTopics {

	/** The longest topic or filter, in UTF-8 bytes. */
	public static final int MAX_LENGTH = 65535;

	/** The longest topic or filter AWS IoT Core accepts, in UTF-8 bytes. */
	public static final int AWS_IOT_MAX_LENGTH = 256;

	/**
	 * The most {@code /} AWS IoT Core accepts in a topic; in a reserved topic (one that starts
	 * with {@code $}) the first {@link #AWS_IOT_RESERVED_PREFIX_SLASHES} are not counted.
	 */
	public static final int AWS_IOT_MAX_SLASHES = 7;

	/** The slashes of a reserved prefix such as {@code $aws/things/thing-name/}. */
	public static final int AWS_IOT_RESERVED_PREFIX_SLASHES = 3;

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

	/**
	 * Checks the expanded {@code mqtt_subscribe} of a streamtype: a valid filter that does not
	 * start with {@code $} unless {@code aws_iot} is set, within the AWS IoT limits when it is.
	 * @param filter the filter
	 * @param awsIot whether the streamtype sets {@code aws_iot}
	 * @throws IllegalArgumentException with the reason when the filter is refused
	 */
	public static void checkStreamFilter(String filter, boolean awsIot) {
		checkFilter(filter);
		if (!awsIot && filter.charAt(0) == '$') {
			throw new IllegalArgumentException("topic filter \"" + filter
					+ "\": filters starting with '$' (reserved topics) need aws_iot");
		}
		if (awsIot) {
			checkAwsIot(filter, "topic filter");
		}
	}

	/**
	 * Checks the expanded {@code mqtt_topic} of a streamtype: a valid topic name, within the
	 * AWS IoT limits when {@code aws_iot} is set.
	 * @param topic the topic
	 * @param awsIot whether the streamtype sets {@code aws_iot}
	 * @throws IllegalArgumentException with the reason when the topic is refused
	 */
	public static void checkStreamTopic(String topic, boolean awsIot) {
		checkTopicName(topic);
		if (awsIot) {
			checkAwsIot(topic, "topic name");
		}
	}

	private static void checkAwsIot(String text, String what) {
		int length = text.getBytes(StandardCharsets.UTF_8).length;
		if (length > AWS_IOT_MAX_LENGTH) {
			throw new IllegalArgumentException("MQTT " + what + " is " + length + " bytes long; with aws_iot at most "
					+ AWS_IOT_MAX_LENGTH + " are allowed");
		}
		int slashes = (int) text.chars().filter((c) -> c == '/').count();
		// AWS does not count the slashes of the reserved $aws/things/<thing>/ prefix.
		boolean reserved = text.charAt(0) == '$';
		int counted = reserved ? slashes - AWS_IOT_RESERVED_PREFIX_SLASHES : slashes;
		if (counted > AWS_IOT_MAX_SLASHES) {
			throw new IllegalArgumentException("MQTT " + what + " \"" + text + "\" has " + counted + " '/'"
					+ (reserved ? " after the first " + AWS_IOT_RESERVED_PREFIX_SLASHES : "")
					+ "; with aws_iot at most " + AWS_IOT_MAX_SLASHES + " are allowed");
		}
	}

	private static void checkCommon(String text, String what) {
		if (text.isEmpty()) {
			throw new IllegalArgumentException("an MQTT " + what + " must not be empty");
		}
		if (text.indexOf('\0') >= 0) {
			throw new IllegalArgumentException("MQTT " + what + " \"" + text + "\" must not contain NUL");
		}
		if (text.indexOf('\uFFFD') >= 0) {
			// Metadata bytes that are not UTF-8 expand to it, and a received topic holding it is
			// refused as ill-formed (MqttChannelHandler): the broker would echo a topic we reject.
			throw new IllegalArgumentException("MQTT " + what + " \"" + text + "\" holds U+FFFD, which stands for "
					+ "bytes that are not UTF-8 (metadata set as bytes?); received topics holding it are refused");
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
