package io.securestreams.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The canonical path and query of AWS Signature Version 4. For S3 the path is what was sent,
 * percent-decoded, then encoded again with only the RFC 3986 unreserved characters and {@code /}
 * left as they are, hex digits in upper case, so it does not depend on how the sender encoded it;
 * it is not normalised. Every other service normalises the path as sent ({@code .} and
 * {@code ..} segments and repeated slashes removed) and encodes it once more, so an escape the
 * sender wrote is signed encoded twice ({@code %20} as {@code %2520}), as AWS's SDKs and its
 * published test suite do. In the query, a parameter without {@code =} gets an empty value; the
 * parameters are decoded and encoded again, sorted by encoded name, then value, and joined with
 * {@code &}. A {@code +} is taken as itself, not as a space, and a {@code %} not followed by two
 * hex digits as a literal {@code %}.
 *
 * @author Secure Streams contributors
 */
final class SigV4Encoding {

	private static final char[] HEX = "0123456789ABCDEF".toCharArray();

	private SigV4Encoding() {
	}

	/**
	 * Returns the canonical form of a path.
	 * @param path the path as sent, without the query
	 * @param service the AWS service the request is signed for
	 * @return the canonical URI
	 */
	static String path(String path, String service) {
		if ("s3".equals(service)) {
			return encode(decode(path), true);
		}
		return encode(normalized(path).getBytes(StandardCharsets.UTF_8), true);
	}

	// RFC 3986 dot-segment removal, plus the empty segments of repeated slashes; a trailing slash
	// stays ("/a/b/.." is "/a/", "//a//" is "/a/").
	private static String normalized(String path) {
		Deque<String> segments = new ArrayDeque<>();
		String[] parts = path.split("/", -1);
		for (String part : parts) {
			if (part.equals("..")) {
				segments.pollLast();
			}
			else if (!part.isEmpty() && !part.equals(".")) {
				segments.addLast(part);
			}
		}
		String last = parts[parts.length - 1];
		boolean trailing = last.isEmpty() || last.equals(".") || last.equals("..");
		String joined = "/" + String.join("/", segments);
		return (trailing && !segments.isEmpty()) ? joined + "/" : joined;
	}

	/**
	 * Returns the canonical form of a query.
	 * @param query the query as sent, without the {@code ?}
	 * @return the canonical query string, empty for an empty query
	 */
	static String query(String query) {
		List<String[]> parameters = new ArrayList<>();
		for (String parameter : query.split("&")) {
			if (parameter.isEmpty()) {
				continue;
			}
			int equals = parameter.indexOf('=');
			String name = (equals >= 0) ? parameter.substring(0, equals) : parameter;
			String value = (equals >= 0) ? parameter.substring(equals + 1) : "";
			parameters.add(new String[] { encode(decode(name), false), encode(decode(value), false) });
		}
		// Encoded parameters are ASCII: String order is the byte order AWS sorts by.
		parameters.sort((a, b) -> (a[0].equals(b[0])) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
		StringBuilder canonical = new StringBuilder(query.length() + 16);
		for (String[] parameter : parameters) {
			if (!canonical.isEmpty()) {
				canonical.append('&');
			}
			canonical.append(parameter[0]).append('=').append(parameter[1]);
		}
		return canonical.toString();
	}

	private static byte[] decode(String text) {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		ByteArrayOutputStream decoded = new ByteArrayOutputStream(bytes.length);
		for (int i = 0; i < bytes.length; i++) {
			int high = (bytes[i] == '%' && i + 2 < bytes.length) ? Character.digit(bytes[i + 1], 16) : -1;
			int low = (high >= 0) ? Character.digit(bytes[i + 2], 16) : -1;
			if (low >= 0) {
				decoded.write((high << 4) | low);
				i += 2;
			}
			else {
				decoded.write(bytes[i]);
			}
		}
		return decoded.toByteArray();
	}

	private static String encode(byte[] bytes, boolean keepSlash) {
		StringBuilder encoded = new StringBuilder(bytes.length * 3);
		for (byte b : bytes) {
			int c = b & 0xff;
			if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
					|| c == '.' || c == '~' || (keepSlash && c == '/')) {
				encoded.append((char) c);
			}
			else {
				encoded.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
			}
		}
		return encoded.toString();
	}

}
