package io.securestreams.boot.actuate.endpoint;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.http.MediaType;

/**
 * What the servlet-side helpers of the {@link SecureStreamsPolicyEndpoint} share: recognising its
 * requests, and answering one with {@code {"errors": [...]}} as the endpoint answers a bad
 * overlay.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class PolicyEndpointRequests {

	/** The source named in problems with the request body itself. */
	static final String SOURCE = "request body";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private PolicyEndpointRequests() {
	}

	/**
	 * Tells whether a request is for the policy endpoint or one of its operations.
	 * @param endpoints where the endpoints are mapped
	 * @param request the request
	 * @return {@code true} for the endpoint's path and the paths below it
	 */
	static boolean isPolicyEndpoint(PathMappedEndpoints endpoints, HttpServletRequest request) {
		String endpoint = endpoints.getPath(EndpointId.of("securestreamspolicy"));
		if (endpoint == null) {
			return false;
		}
		String path = request.getRequestURI().substring(request.getContextPath().length());
		return path.equals(endpoint) || path.startsWith(endpoint + "/");
	}

	/**
	 * Answers with one error.
	 * @param response the response
	 * @param status the status
	 * @param error the error
	 */
	static void writeError(HttpServletResponse response, int status, String error) {
		response.setStatus(status);
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.setCharacterEncoding("UTF-8");
		try {
			JSON.writeValue(response.getOutputStream(),
					new SecureStreamsPolicyEndpoint.ErrorsDescriptor(List.of(error)));
		}
		catch (IOException | JacksonException ex) {
			// The client went away; there is no one left to tell.
		}
	}

}
