package io.securestreams.policy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.function.Predicate;

import io.securestreams.policy.StreamTypeKey.ValueType;

/**
 * Type and range checks for streamtype key values, shared by every way a policy is built.
 * Messages say what was expected so that they read well after a location prefix.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class StreamTypeValues {

	/** Longest metadata name; it must fit a proxy METADATA frame's name field. */
	public static final int MAX_METADATA_NAME_LENGTH = 30;

	/** Most metadata names a streamtype may declare (the C index is a byte). */
	public static final int MAX_METADATA_COUNT = 255;

	// Words of a bit set with one bit for each HTTP status up to 599.
	private static final int STATUS_WORDS = 10;

	private static final boolean[] TCHAR = tchars();

	// Hand-written matchers rather than regular expressions: a policy of thousands of streamtypes
	// runs them tens of thousands of times.
	private static final Predicate<String> TOKEN = (text) -> isToken(text, text.length());

	private static final Predicate<String> TOKEN_LIST = StreamTypeValues::isTokenList;

	private static final Predicate<String> HEADER_NAME = (text) -> isToken(text,
			text.endsWith(":") ? text.length() - 1 : text.length());

	private StreamTypeValues() {
	}

	static Object check(StreamTypeKey key, Object value) {
		ValueType type = key.type();
		return switch (type) {
			case BOOLEAN -> expect(value instanceof Boolean, value, "true or false");
			case STRING -> (key.reference() != null) ? reference(key, value)
					: expect(value instanceof String, value, "a string");
			case HTTP_TOKEN -> matches(TOKEN, value, "an HTTP token such as GET or my-protocol");
			case HTTP_TOKEN_LIST -> matches(TOKEN_LIST, value,
					"an HTTP token such as my-protocol, or several separated by commas");
			case HEADER_NAME -> matches(HEADER_NAME, value, "a header name such as authorization:");
			// An Integer in range is kept as it is: a second box per number showed in parse profiles.
			case INTEGER -> (value instanceof Integer number) ? intInRange(number, key)
					: Math.toIntExact(integral(value, key.min(), key.max()));
			case LONG -> integral(value, key.min(), key.max());
			case PROTOCOL -> expect(value instanceof Protocol, value, "a protocol");
			case HOST_PORT -> hostPort(value);
			case METADATA -> metadata(value);
			case RESPONSE_MAP -> responseMap(value);
			case OPTIONS -> listOf(value, ServerOption.class, "a list of server options");
		};
	}

	private static Integer intInRange(Integer value, StreamTypeKey key) {
		int number = value;
		if (number < key.min() || number > key.max()) {
			integral(value, key.min(), key.max());
		}
		return value;
	}

	private static Object reference(StreamTypeKey key, Object value) {
		if (!(value instanceof String name) || name.isEmpty()) {
			String description = key.reference().description();
			// "an auth scheme", not "a auth scheme".
			String article = ("aeiou".indexOf(description.charAt(0)) >= 0) ? "an " : "a ";
			throw new IllegalArgumentException("expected the name of " + article + description + ", got "
					+ describe(value));
		}
		return name;
	}

	private static Object expect(boolean ok, Object value, String expected) {
		if (!ok) {
			throw new IllegalArgumentException("expected " + expected + ", got " + describe(value));
		}
		return value;
	}

	private static Object matches(Predicate<String> pattern, Object value, String expected) {
		if (!(value instanceof String text) || !pattern.test(text)) {
			throw new IllegalArgumentException("expected " + expected + ", got " + describe(value));
		}
		return text;
	}

	/**
	 * Checks that a value is an integral number within a range.
	 * @param value the candidate
	 * @param min the smallest allowed value
	 * @param max the largest allowed value
	 * @return the value as a long
	 * @throws IllegalArgumentException otherwise
	 */
	public static long integral(Object value, long min, long max) {
		if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
			long number = ((Number) value).longValue();
			if (number >= min && number <= max) {
				return number;
			}
		}
		else if (value instanceof BigInteger big && big.bitLength() < 63) {
			return integral(big.longValue(), min, max);
		}
		// The message is only built on failure: this runs for every number of every policy.
		throw new IllegalArgumentException("expected an integer " + min + ".." + max + ", got " + describe(value));
	}

	private static Object hostPort(Object value) {
		if (value instanceof String text) {
			int colon = text.lastIndexOf(':');
			if (colon > 0 && colon < text.length() - 1) {
				String host = text.substring(0, colon);
				boolean bracketed = host.startsWith("[") && host.endsWith("]");
				// Brackets hold an IPv6 literal: empty ones would be looked up as the local host.
				boolean validHost = bracketed ? host.indexOf(':') > 0
						&& host.substring(1, host.length() - 1).chars().allMatch(StreamTypeValues::ipv6Char)
						: host.indexOf(':') < 0 && host.chars().noneMatch(StreamTypeValues::spaceOrControl);
				try {
					String digits = text.substring(colon + 1);
					// parseInt reads a sign and the digits of every script ("١٠٨٠" as 1080); lws' atoi does not.
					int port = digits.chars().allMatch((c) -> c >= '0' && c <= '9') ? Integer.parseInt(digits) : 0;
					if (validHost && port >= 1 && port <= 65535) {
						return text;
					}
				}
				catch (NumberFormatException ex) {
					// reported below
				}
			}
		}
		throw new IllegalArgumentException("expected host:port such as 127.0.0.1:1080, got " + describe(value));
	}

	// A host name holds neither: one that does would only fail at each connection.
	private static boolean spaceOrControl(int c) {
		return c <= ' ' || c == 0x7f || Character.isSpaceChar(c) || Character.isISOControl(c);
	}

	private static boolean ipv6Char(int c) {
		return c == ':' || c == '.' || Character.digit(c, 16) >= 0;
	}

	private static Object metadata(Object value) {
		List<MetadataDeclaration> list = listOf(value, MetadataDeclaration.class, "a list of metadata declarations");
		if (list.size() > MAX_METADATA_COUNT) {
			throw new IllegalArgumentException(
					"at most " + MAX_METADATA_COUNT + " metadata names allowed, got " + list.size());
		}
		// Each declaration checked its name and mapping when it was made; what is left is the list's
		// own rule. At most 255 names: comparing with the earlier ones is cheaper than a hash set.
		for (int i = 0; i < list.size(); i++) {
			MetadataDeclaration declaration = list.get(i);
			for (int j = 0; j < i; j++) {
				if (list.get(j).name().equals(declaration.name())) {
					throw new IllegalArgumentException("metadata name '" + declaration.name() + "' is declared twice");
				}
			}
		}
		return list;
	}

	/**
	 * Checks a metadata name.
	 * @param name the name
	 * @throws IllegalArgumentException when it is empty, too long or contains {@code $ { }} or space
	 */
	public static void checkMetadataName(String name) {
		if (name.isEmpty() || utf8Length(name) > MAX_METADATA_NAME_LENGTH || !isMetadataName(name)) {
			throw new IllegalArgumentException("metadata name '" + name + "' must be 1.." + MAX_METADATA_NAME_LENGTH
					+ " bytes of UTF-8 without '$', '{', '}' or spaces");
		}
	}

	/**
	 * Returns the length of a name in UTF-8, which the proxy wire protocol's limits count.
	 * @param text the name
	 * @return its length in bytes
	 */
	public static int utf8Length(String text) {
		int length = text.length();
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c >= 0x80) {
				// Two bytes up to U+07FF, three for the rest of the BMP; a surrogate pair is four.
				length += (c < 0x800) ? 1 : Character.isSurrogate(c) ? 1 : 2;
			}
		}
		return length;
	}

	/**
	 * Checks a metadata mapping (a header name with optional colon, or empty).
	 * @param mapping the mapping
	 * @throws IllegalArgumentException when it is neither empty nor a header name
	 */
	public static void checkMetadataMapping(String mapping) {
		if (!mapping.isEmpty() && !HEADER_NAME.test(mapping)) {
			throw new IllegalArgumentException("metadata mapping must be empty or a header name such as "
					+ "content-type:, got \"" + mapping + "\"");
		}
	}

	/**
	 * Returns whether a name is a raw header name as {@code direct_proto_str} metadata spells it:
	 * an RFC 9110 token followed by a colon ({@code "x-custom:"}).
	 * @param name the metadata name
	 * @return {@code true} for a token with its colon
	 */
	public static boolean isRawHeaderName(String name) {
		return name.endsWith(":") && isToken(name, name.length() - 1);
	}

	/**
	 * Returns the index of the first byte that may not appear in an http header value (a control
	 * character other than tab: CR and LF would split the header).
	 * @param value the value
	 * @return the index, or -1 when the value may be sent
	 */
	public static int invalidHeaderValueIndex(byte[] value) {
		for (int i = 0; i < value.length; i++) {
			int b = value[i] & 0xff;
			if ((b < 0x20 && b != '\t') || b == 0x7f) {
				return i;
			}
		}
		return -1;
	}

	// Tokens separated by commas, each with optional spaces or tabs around it (libwebsockets
	// passes a client's list on as its sec-websocket-protocol header).
	private static boolean isTokenList(String text) {
		for (String entry : text.split(",", -1)) {
			String token = entry.strip();
			if (!isToken(token, token.length())) {
				return false;
			}
		}
		return true;
	}

	// RFC 9110 token: 1*tchar
	private static boolean isToken(String text, int length) {
		if (length == 0) {
			return false;
		}
		for (int i = 0; i < length; i++) {
			char c = text.charAt(i);
			if (c >= TCHAR.length || !TCHAR[c]) {
				return false;
			}
		}
		return true;
	}

	// tchar by ASCII code: a table lookup per character instead of ranges and a string search.
	private static boolean[] tchars() {
		boolean[] table = new boolean[128];
		for (char c = '0'; c <= '9'; c++) {
			table[c] = true;
		}
		for (char c = 'A'; c <= 'Z'; c++) {
			table[c] = true;
			table[Character.toLowerCase(c)] = true;
		}
		for (char c : "!#$%&'*+.^_`|~-".toCharArray()) {
			table[c] = true;
		}
		return table;
	}

	// No '$', '{', '}' (they delimit ${name}) and no whitespace.
	private static boolean isMetadataName(String name) {
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (c == '$' || c == '{' || c == '}' || c == ' ' || (c >= '\t' && c <= '\r')) {
				return false;
			}
		}
		return true;
	}

	private static Object responseMap(Object value) {
		List<HttpResponseMapping> list = listOf(value, HttpResponseMapping.class, "a list of status to state mappings");
		// Statuses are checked to be 100..599 first, so a bit per status replaces a set of boxes.
		long[] seen = new long[STATUS_WORDS];
		for (HttpResponseMapping mapping : list) {
			checkResponseMapping(mapping.status(), mapping.state());
			if (!addStatus(seen, mapping.status())) {
				throw new IllegalArgumentException("status " + mapping.status() + " is mapped twice");
			}
		}
		return list;
	}

	// A bit set of STATUS_WORDS words, for statuses already checked to be 100..599.
	private static boolean addStatus(long[] seen, int status) {
		long bit = 1L << (status & 63);
		boolean added = (seen[status >>> 6] & bit) == 0;
		seen[status >>> 6] |= bit;
		return added;
	}

	/**
	 * Checks one {@code http_resp_map} entry.
	 * @param status the HTTP status
	 * @param state the stream state
	 * @throws IllegalArgumentException when either is out of range
	 */
	public static void checkResponseMapping(int status, int state) {
		if (status < 100 || status > 599) {
			throw new IllegalArgumentException("expected an HTTP status 100..599, got " + status);
		}
		if (state < 1) {
			throw new IllegalArgumentException("expected a stream state of at least 1, got " + state);
		}
	}

	@SuppressWarnings("unchecked")
	private static <T> List<T> listOf(Object value, Class<T> type, String expected) {
		if (value instanceof List<?> list) {
			boolean typed = true;
			for (Object element : list) {
				typed &= type.isInstance(element);
			}
			if (typed) {
				return List.copyOf((List<T>) list);
			}
		}
		throw new IllegalArgumentException("expected " + expected + ", got " + describe(value));
	}

	/**
	 * Describes a value's JSON shape for an error message, never echoing long or secret text.
	 * @param value the value
	 * @return for example {@code a string "443"} or {@code a number 1.5}
	 */
	public static String describe(Object value) {
		if (value instanceof String text) {
			return (text.length() <= 40) ? "a string \"" + text + "\"" : "a string of " + text.length() + " characters";
		}
		if (value instanceof Boolean) {
			return value.toString();
		}
		if (value instanceof BigDecimal || value instanceof Double || value instanceof Float) {
			return "a number " + value;
		}
		if (value instanceof Number) {
			return value.toString();
		}
		if (value instanceof List<?>) {
			return "an array";
		}
		if (value instanceof java.util.Map<?, ?>) {
			return "an object";
		}
		return value.getClass().getSimpleName();
	}

}
