package io.securestreams.boot.actuate.endpoint;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.securestreams.policy.PolicyProblem;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.http.MediaType;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * What the servlet and the reactive request handling of the {@link SecureStreamsPolicyEndpoint}
 * share, without knowing either web stack: recognising the endpoint's requests, and the words
 * and JSON of {@code {"errors": [...]}} answers, as the endpoint answers a bad overlay.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class PolicyEndpointRequests {

	/** The source named in problems with the request body itself. */
	static final String SOURCE = "request body";

	private static final String EXPECTED = "expected {\"overlay\": \"...\"} with the overlay's JSON text as a string";

	// Jackson's "Cannot deserialize value of type X from Array value (token ...)".
	private static final Pattern FOUND = Pattern.compile("from ([A-Za-z-]+) value");

	// Jackson's "(start marker at [Source: REDACTED (...); byte offset: #UNKNOWN])" names its
	// internals and locates nothing: the error's own place is where the body ended.
	private static final Pattern START_MARKER = Pattern.compile(" \\(start marker at \\[Source: [^\\r\\n]*?\\]\\)");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static volatile @Nullable EndpointPattern endpointPattern;

	private PolicyEndpointRequests() {
	}

	/**
	 * Tells whether a request is for the policy endpoint or one of its operations, as the web
	 * stack routes it: the path is matched as the actuator's own mappings match it, segment by
	 * segment, decoded and without {@code ;} path parameters. Comparing the raw path instead let
	 * {@code /actuator/securestreamspolicy;x=1} or {@code /actuator/%73ecurestreamspolicy} reach
	 * the endpoint without its body bound and located errors.
	 * @param endpoints where the endpoints are mapped
	 * @param path the request's path within the application (without a context path)
	 * @return {@code true} for the endpoint's path and the paths below it
	 */
	static boolean isPolicyEndpoint(PathMappedEndpoints endpoints, PathContainer path) {
		String endpoint = endpoints.getPath(EndpointId.of("securestreamspolicy"));
		return endpoint != null && pattern(endpoint).matches(path);
	}

	private static PathPattern pattern(String endpoint) {
		// The endpoint's path is fixed once the actuator is set up: parse it once, not per request.
		EndpointPattern known = endpointPattern;
		if (known == null || !known.endpoint().equals(endpoint)) {
			known = new EndpointPattern(endpoint, PathPatternParser.defaultInstance.parse(endpoint + "/**"));
			endpointPattern = known;
		}
		return known.pattern();
	}

	private record EndpointPattern(String endpoint, PathPattern pattern) {
	}

	/**
	 * Returns the body of an answer with one error.
	 * @param error the error
	 * @return {@code {"errors": [error]}} in UTF-8
	 */
	static byte[] errorBody(String error) {
		return JSON.writeValueAsBytes(new SecureStreamsPolicyEndpoint.ErrorsDescriptor(List.of(error)));
	}

	/**
	 * Describes a body longer than a bound.
	 * @param size the body's size, as far as it is known ({@code "N bytes"}, {@code "more than N bytes"})
	 * @param bound the most accepted
	 * @param what names the bound when it is not this endpoint's own, or {@code null}
	 * @return the error
	 */
	static String tooLarge(String size, long bound, @Nullable String what) {
		String named = (what != null) ? " (" + what + ")" : "";
		return SOURCE + ": " + size + "; at most " + bound + " are accepted" + named;
	}

	/**
	 * Describes a body of a type the endpoint does not read.
	 * @param sent the body's Content-Type, or {@code null}
	 * @param supported the types the endpoint reads
	 * @return the error
	 */
	static String unsupported(@Nullable MediaType sent, Collection<MediaType> supported) {
		String types = supported.stream().map(MediaType::toString).collect(Collectors.joining(", "));
		String problem = (sent != null) ? "Content-Type '" + sent + "' is not supported" : "no Content-Type";
		return SOURCE + ": " + problem + "; send one of " + types;
	}

	/**
	 * Describes a body that could not be read as {@code {"overlay": "..."}}.
	 * @param json what Jackson found wrong, or {@code null} when it was not Jackson
	 * @return the error, located as {@code request body:LINE:COL: PATH: MESSAGE} when Jackson
	 * says where
	 */
	static String unreadable(@Nullable JacksonException json) {
		if (json == null) {
			return SOURCE + ": " + EXPECTED;
		}
		TokenStreamLocation location = json.getLocation();
		int line = (location != null) ? location.getLineNr() : 0;
		int column = (location != null) ? location.getColumnNr() : 0;
		String path = json.getPath()
			.stream()
			.map((reference) -> (reference.getPropertyName() != null) ? reference.getPropertyName()
					: "[" + reference.getIndex() + "]")
			.collect(Collectors.joining("."));
		String message = (json instanceof MismatchedInputException) ? mismatch(json, path)
				: "invalid JSON: " + START_MARKER.matcher(String.valueOf(json.getOriginalMessage())).replaceAll("");
		return PolicyProblem.error(path, message).at(SOURCE, Math.max(line, 0), Math.max(column, 0), path).format();
	}

	private static String mismatch(JacksonException ex, String path) {
		Matcher found = FOUND.matcher(String.valueOf(ex.getOriginalMessage()));
		String got = found.find() ? kind(found.group(1)) : ex.getOriginalMessage();
		return (path.isEmpty() ? EXPECTED : "expected a string (the overlay's JSON text)") + ", got " + got;
	}

	private static String kind(String jacksonShape) {
		return switch (jacksonShape.toLowerCase(Locale.ROOT)) {
			case "array" -> "an array";
			case "object" -> "an object";
			case "string" -> "a string";
			case "integer", "floating-point" -> "a number";
			case "boolean" -> "a boolean";
			default -> jacksonShape;
		};
	}

	/**
	 * Finds a cause of a type.
	 * @param <T> the type
	 * @param ex the exception
	 * @param type the type
	 * @return the exception itself or its nearest cause of that type, or {@code null}
	 */
	static <T extends Throwable> @Nullable T cause(Throwable ex, Class<T> type) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		return null;
	}

}
