package io.securestreams.boot.actuate.endpoint;

import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

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
		if (!SecureStreamsPolicyEndpointBodyLimitFilter.isPolicyEndpoint(this.endpoints, request)) {
			return null;
		}
		RequestBodyTooLargeException tooLarge = PolicyEndpointRequests.cause(ex, RequestBodyTooLargeException.class);
		if (tooLarge != null) {
			return write(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, tooLarge.getMessage());
		}
		if (ex instanceof HttpMessageNotReadableException unreadable) {
			JacksonException json = PolicyEndpointRequests.cause(unreadable, JacksonException.class);
			return write(response, HttpServletResponse.SC_BAD_REQUEST, PolicyEndpointRequests.unreadable(json));
		}
		if (ex instanceof HttpMediaTypeNotSupportedException unsupported) {
			List<MediaType> supported = unsupported.getSupportedMediaTypes();
			if (!supported.isEmpty()) {
				response.setHeader("Accept", MediaType.toString(supported));
			}
			return write(response, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE,
					PolicyEndpointRequests.unsupported(unsupported.getContentType(), supported));
		}
		return null;
	}

	private static ModelAndView write(HttpServletResponse response, int status, String error) {
		SecureStreamsPolicyEndpointBodyLimitFilter.writeError(response, status, error);
		return new ModelAndView();
	}

}
