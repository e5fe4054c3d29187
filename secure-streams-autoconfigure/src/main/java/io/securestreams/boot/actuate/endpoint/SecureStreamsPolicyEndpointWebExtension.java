package io.securestreams.boot.actuate.endpoint;

import java.util.List;

import io.securestreams.SecureStreamsException;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.annotation.RegisterReflectionForBinding;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * {@link EndpointWebExtension @EndpointWebExtension} for the {@link SecureStreamsPolicyEndpoint}:
 * an invalid or missing overlay is answered with 400 and {@code {"errors": [...]}}, an unknown
 * action with 404, a change in proxied mode (where the proxy owns the policy) with 409, and a
 * change after the context has shut down (while the application stops) with 503. The
 * overlay is the {@code overlay} member of the request body, its JSON text in a string; a body
 * Spring MVC cannot read as such is answered by {@link SecureStreamsPolicyEndpointErrorResolver}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@EndpointWebExtension(endpoint = SecureStreamsPolicyEndpoint.class)
// The operations return WebEndpointResponse<Object>, from which no tool can tell what a native
// image must be able to write as JSON.
@RegisterReflectionForBinding({ SecureStreamsPolicyEndpoint.PolicyDescriptor.class,
		SecureStreamsPolicyEndpoint.FetchDescriptor.class, SecureStreamsPolicyEndpoint.ErrorsDescriptor.class })
public class SecureStreamsPolicyEndpointWebExtension {

	private final SecureStreamsPolicyEndpoint delegate;

	/**
	 * Creates the extension.
	 * @param delegate the endpoint
	 */
	public SecureStreamsPolicyEndpointWebExtension(SecureStreamsPolicyEndpoint delegate) {
		this.delegate = delegate;
	}

	/**
	 * Applies an overlay atomically.
	 * @param overlay the overlay JSON, {@code null} when the request has none
	 * @return 200 with the new policy, 400 with every error (the policy is unchanged), 409 in
	 * proxied mode (the proxy owns the policy), or 503 once the context has shut down
	 */
	@WriteOperation
	public WebEndpointResponse<Object> applyOverlay(@Nullable String overlay) {
		if (overlay == null) {
			return badRequest("the request has no 'overlay': send {\"overlay\": \"...\"} with the overlay's JSON "
					+ "text as a string");
		}
		try {
			return new WebEndpointResponse<>(this.delegate.applyOverlay(overlay));
		}
		catch (PolicyException ex) {
			return new WebEndpointResponse<>(new SecureStreamsPolicyEndpoint.ErrorsDescriptor(
					ex.problems().stream().map(PolicyProblem::format).toList()),
					WebEndpointResponse.STATUS_BAD_REQUEST);
		}
		catch (IllegalStateException ex) {
			return conflict(ex);
		}
		catch (SecureStreamsException ex) {
			return unavailable(ex);
		}
	}

	/**
	 * Drops every overlay.
	 * @return 200 with the new policy, 409 in proxied mode (the proxy owns the policy), or 503
	 * once the context has shut down
	 */
	@DeleteOperation
	public WebEndpointResponse<Object> resetOverlays() {
		try {
			return new WebEndpointResponse<>(this.delegate.resetOverlays());
		}
		catch (IllegalStateException ex) {
			return conflict(ex);
		}
		catch (SecureStreamsException ex) {
			return unavailable(ex);
		}
	}

	private static WebEndpointResponse<Object> badRequest(String error) {
		return new WebEndpointResponse<>(new SecureStreamsPolicyEndpoint.ErrorsDescriptor(List.of(error)),
				WebEndpointResponse.STATUS_BAD_REQUEST);
	}

	private static WebEndpointResponse<Object> conflict(IllegalStateException ex) {
		return new WebEndpointResponse<>(
				new SecureStreamsPolicyEndpoint.ErrorsDescriptor(List.of(String.valueOf(ex.getMessage()))), 409);
	}

	// The context shuts down with the application, whose web server may still take requests while
	// it stops: the policy can no longer change, which is not a server error (500) but a service
	// that is going away.
	private static WebEndpointResponse<Object> unavailable(SecureStreamsException ex) {
		return new WebEndpointResponse<>(
				new SecureStreamsPolicyEndpoint.ErrorsDescriptor(List.of(String.valueOf(ex.getMessage()))),
				WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
	}

	/**
	 * Fetches the remote policy now.
	 * @param action {@value SecureStreamsPolicyEndpoint#FETCH}
	 * @return 200 with the outcome, 404 for another action, or 409 in proxied mode (the proxy
	 * owns the policy)
	 */
	@WriteOperation
	public WebEndpointResponse<Object> fetch(@Selector String action) {
		Object result;
		try {
			result = this.delegate.fetch(action);
		}
		catch (IllegalStateException ex) {
			return conflict(ex);
		}
		return (result != null) ? new WebEndpointResponse<>(result)
				: new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
	}

}
