package io.securestreams.boot.actuate.endpoint;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.securestreams.policy.PolicyProblem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.exc.MismatchedInputException;

import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.core.Ordered;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Answers a request to the {@link SecureStreamsPolicyEndpoint} whose body Spring MVC cannot read
 * (not JSON, not a JSON object of strings, another Content-Type, more than
 * {@link SecureStreamsPolicyEndpointBodyLimitFilter} lets through) as the endpoint answers a bad
 * overlay: 400 (or 415, or 413) with
 * {@code {"errors": ["request body:LINE:COL: PATH: MESSAGE"]}}. The actuator reads the body
 * before any endpoint code runs, and Spring's own answer is a bare 400 that does not say what is
 * wrong. Requests to other paths are left to the other resolvers.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SecureStreamsPolicyEndpointErrorResolver implements HandlerExceptionResolver, Ordered {

	private static final String SOURCE = PolicyEndpointRequests.SOURCE;

	private static final String EXPECTED = "expected {\"overlay\": \"...\"} with the overlay's JSON text as a string";

	// Jackson's "Cannot deserialize value of type X from Array value (token ...)".
	private static final Pattern FOUND = Pattern.compile("from ([A-Za-z-]+) value");

	private final PathMappedEndpoints endpoints;

	/**
	 * Creates the resolver.
	 * @param endpoints where the endpoints are mapped, to recognise the policy endpoint's requests
	 */
	public SecureStreamsPolicyEndpointErrorResolver(PathMappedEndpoints endpoints) {
		this.endpoints = endpoints;
	}

	// Before Spring's DefaultHandlerExceptionResolver, which answers with a bare status.
	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 1;
	}

	@Override
	public @Nullable ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response,
			@Nullable Object handler, Exception ex) {
		if (!PolicyEndpointRequests.isPolicyEndpoint(this.endpoints, request)) {
			return null;
		}
		RequestBodyTooLargeException tooLarge = cause(ex, RequestBodyTooLargeException.class);
		if (tooLarge != null) {
			return write(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, tooLarge.getMessage());
		}
		if (ex instanceof HttpMessageNotReadableException unreadable) {
			return write(response, HttpServletResponse.SC_BAD_REQUEST, describe(unreadable));
		}
		if (ex instanceof HttpMediaTypeNotSupportedException unsupported) {
			List<MediaType> supported = unsupported.getSupportedMediaTypes();
			if (!supported.isEmpty()) {
				response.setHeader("Accept", MediaType.toString(supported));
			}
			String types = supported.stream().map(MediaType::toString).collect(Collectors.joining(", "));
			MediaType sent = unsupported.getContentType();
			String problem = (sent != null) ? "Content-Type '" + sent + "' is not supported" : "no Content-Type";
			return write(response, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE,
					SOURCE + ": " + problem + "; send one of " + types);
		}
		return null;
	}

	private static String describe(HttpMessageNotReadableException ex) {
		JacksonException json = cause(ex, JacksonException.class);
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
				: "invalid JSON: " + json.getOriginalMessage();
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

	private static <T extends Throwable> @Nullable T cause(Throwable ex, Class<T> type) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		return null;
	}

	private static ModelAndView write(HttpServletResponse response, int status, String error) {
		PolicyEndpointRequests.writeError(response, status, error);
		return new ModelAndView();
	}

}
