package io.securestreams.server.http;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Normalises a decoded request path the way libwebsockets' server does before a handler sees
 * it: {@code .} segments are dropped, a {@code ..} segment removes the segment before it (never
 * climbing above the root), and repeated slashes collapse into one. Because this runs after
 * percent-decoding, {@code %2e%2e} and {@code %2F} cannot smuggle a parent step past a handler
 * that routes or serves files by path prefix.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class RequestPaths {

	private RequestPaths() {
	}

	/**
	 * Returns the normalised form of a decoded path.
	 * @param decoded the percent-decoded path
	 * @return a path starting with {@code /}, without dot segments or empty segments; a trailing
	 * slash (or a final dot segment, which names a directory) is kept
	 */
	static String normalize(String decoded) {
		Deque<String> segments = new ArrayDeque<>();
		boolean directory = false;
		int start = 0;
		while (start <= decoded.length()) {
			int end = decoded.indexOf('/', start);
			if (end < 0) {
				end = decoded.length();
			}
			String segment = decoded.substring(start, end);
			directory = segment.isEmpty() || segment.equals(".") || segment.equals("..");
			if (segment.equals("..")) {
				segments.pollLast();
			}
			else if (!directory) {
				segments.addLast(segment);
			}
			start = end + 1;
		}
		StringBuilder path = new StringBuilder(decoded.length() + 1);
		for (String segment : segments) {
			path.append('/').append(segment);
		}
		if (path.length() == 0 || directory) {
			path.append('/');
		}
		return path.toString();
	}

}
