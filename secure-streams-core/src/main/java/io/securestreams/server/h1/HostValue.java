package io.securestreams.server.h1;

/**
 * The syntax of a Host header value, {@code uri-host [ ":" port ]} (RFC 9110 section 7.2 with
 * RFC 3986 section 3.2.2): a bracketed IP literal or a name of unreserved characters,
 * percent-escapes and sub-delimiters (which an IPv4 address also is), then optionally a colon
 * and digits. Empty is valid too: a target without an authority is sent with an empty Host.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class HostValue {

	private HostValue() {
	}

	/**
	 * Checks a Host header value, already stripped of surrounding whitespace by the decoder.
	 * @param value the value
	 * @return whether it is a host with an optional port
	 */
	static boolean isValid(String value) {
		int end = value.length();
		int hostEnd;
		if (value.startsWith("[")) {
			hostEnd = value.indexOf(']') + 1;
			if (hostEnd == 0 || !allOf(value, 1, hostEnd - 1, true)) {
				return false;
			}
		}
		else {
			int colon = value.indexOf(':');
			hostEnd = (colon >= 0) ? colon : end;
			if (!allOf(value, 0, hostEnd, false)) {
				return false;
			}
		}
		if (hostEnd == end) {
			return true;
		}
		if (value.charAt(hostEnd) != ':') {
			return false;
		}
		for (int i = hostEnd + 1; i < end; i++) {
			if (value.charAt(i) < '0' || value.charAt(i) > '9') {
				return false;
			}
		}
		return true;
	}

	// reg-name (unreserved, pct-encoded, sub-delims) or, in brackets, an IPv6 address or an
	// IPvFuture, which add only ':' to those.
	private static boolean allOf(String value, int start, int end, boolean literal) {
		for (int i = start; i < end; i++) {
			char c = value.charAt(i);
			boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
					|| "-._~!$&'()*+,;=".indexOf(c) >= 0 || (literal && c == ':');
			if (c == '%') {
				allowed = i + 2 < end && isHex(value.charAt(i + 1)) && isHex(value.charAt(i + 2));
				i += 2;
			}
			if (!allowed) {
				return false;
			}
		}
		return true;
	}

	private static boolean isHex(char c) {
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	}

}
