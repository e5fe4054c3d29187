package io.securestreams.auth;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A token endpoint's JSON answer, read: the {@code access_token} and its lifetime from
 * {@code expires_in}, or why the answer gives no usable token. The token must be a non-empty
 * string without control characters that neither starts nor ends with a space (it goes into a
 * header as it is). The lifetime is optional;
 * when given it must be a positive number of seconds (a string holding one is accepted, as some
 * servers send it so), fractions are dropped, and lifetimes above {@link #MAX_LIFETIME} are taken
 * as that, so the renewal delay derived from it cannot overflow. An answer that is not JSON is
 * refused with where it goes wrong, never quoting the answer (it may be the token, sent bare).
 *
 * @param token the access token, or {@code null} when the answer is unusable
 * @param lifetime the token's lifetime, or {@code null} when none was given (or the answer is
 * unusable)
 * @param error why the answer is unusable, or {@code null}
 * @author Secure Streams contributors
 */
record TokenAnswer(@Nullable String token, @Nullable Duration lifetime, @Nullable String error) {

	/** The longest lifetime taken from an answer. */
	static final Duration MAX_LIFETIME = Duration.ofDays(365);

	private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(MAX_LIFETIME.toSeconds());

	private static final ObjectMapper json = JsonMapper.builder().build();

	// Jackson quotes the word it did not recognize, which is the token itself when a server sends
	// it bare or unquoted: the reason is logged, so the word is left out.
	private static final Pattern UNRECOGNIZED = Pattern.compile("(Unrecognized token) '[^']*'");

	/**
	 * Reads an answer.
	 * @param answer the answer's body
	 * @return the token and lifetime, or the error
	 */
	static TokenAnswer read(byte[] answer) {
		JsonNode document;
		try {
			document = json.readTree(answer);
		}
		catch (JacksonException ex) {
			return failed("the token answer is not JSON" + where(ex) + ": "
					+ UNRECOGNIZED.matcher(String.valueOf(ex.getOriginalMessage())).replaceAll("$1"));
		}
		JsonNode token = (document != null) ? document.get("access_token") : null;
		if (token == null || !token.isString() || token.asString().isEmpty()) {
			return failed("the token answer has no access_token");
		}
		if (token.asString().chars().anyMatch((c) -> c < 0x20 || c == 0x7f)) {
			return failed("the token answer's access_token holds control characters");
		}
		// An http header value cannot start or end with a space (RFC 9110 section 5.5): stored, such a
		// token would reach the server without them, as another token, where the one it replaced
		// still worked.
		if (token.asString().startsWith(" ") || token.asString().endsWith(" ")) {
			return failed("the token answer's access_token starts or ends with a space, which a header cannot carry");
		}
		JsonNode expires = document.get("expires_in");
		if (expires == null || expires.isNull()) {
			return new TokenAnswer(token.asString(), null, null);
		}
		BigDecimal seconds = seconds(expires);
		if (seconds == null || seconds.compareTo(BigDecimal.ONE) < 0) {
			return failed("the token answer's expires_in is not a positive number of seconds: " + excerpt(expires));
		}
		Duration lifetime = (seconds.compareTo(MAX_SECONDS) > 0) ? MAX_LIFETIME
				: Duration.ofSeconds(seconds.setScale(0, RoundingMode.DOWN).longValueExact());
		return new TokenAnswer(token.asString(), lifetime, null);
	}

	private static @Nullable BigDecimal seconds(JsonNode expires) {
		if (expires.isNumber()) {
			try {
				return expires.decimalValue();
			}
			catch (JacksonException ex) {
				// A floating-point number beyond a double's range (1e400) was read as infinity.
				return (expires.doubleValue() > 0) ? MAX_SECONDS : null;
			}
		}
		if (expires.isString()) {
			try {
				return new BigDecimal(expires.asString().trim());
			}
			catch (NumberFormatException ex) {
				return null;
			}
		}
		return null;
	}

	private static String where(JacksonException ex) {
		TokenStreamLocation location = ex.getLocation();
		return (location != null && location.getLineNr() > 0)
				? " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")" : "";
	}

	private static String excerpt(JsonNode node) {
		String text = node.toString();
		return (text.length() > 40) ? text.substring(0, 40) + "..." : text;
	}

	private static TokenAnswer failed(String error) {
		return new TokenAnswer(null, null, error);
	}

}
