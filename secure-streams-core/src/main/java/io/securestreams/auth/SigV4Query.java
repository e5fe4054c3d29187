package io.securestreams.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The canonical query string of AWS Signature Version 4: each parameter of the query as sent is
 * percent-decoded, then encoded again with only the RFC 3986 unreserved characters left as they
 * are (hex digits in upper case), so the result does not depend on how the sender encoded it. A
 * parameter without {@code =} gets an empty value; the parameters are sorted by encoded name, then
 * value, and joined with {@code &}. A {@code +} is taken as itself, not as a space, and a
 * {@code %} not followed by two hex digits as a literal {@code %}.
 *
 * @author Secure Streams contributors
 */
final class SigV4Query {

	private static final char[] HEX = "0123456789ABCDEF".toCharArray();

	private SigV4Query() {
	}

	/**
	 * Returns the canonical form of a query.
	 * @param query the query as sent, without the {@code ?}
	 * @return the canonical query string, empty for an empty query
	 */
	static String canonical(String query) {
		List<String[]> parameters = new ArrayList<>();
		for (String parameter : query.split("&")) {
			if (parameter.isEmpty()) {
				continue;
			}
			int equals = parameter.indexOf('=');
			String name = (equals >= 0) ? parameter.substring(0, equals) : parameter;
			String value = (equals >= 0) ? parameter.substring(equals + 1) : "";
			parameters.add(new String[] { encode(decode(name)), encode(decode(value)) });
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

	private static String encode(byte[] bytes) {
		StringBuilder encoded = new StringBuilder(bytes.length * 3);
		for (byte b : bytes) {
			int c = b & 0xff;
			if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
					|| c == '.' || c == '~') {
				encoded.append((char) c);
			}
			else {
				encoded.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
			}
		}
		return encoded.toString();
	}

}
