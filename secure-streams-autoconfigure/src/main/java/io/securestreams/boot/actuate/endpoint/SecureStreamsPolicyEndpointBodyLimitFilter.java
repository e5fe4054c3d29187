package io.securestreams.boot.actuate.endpoint;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.http.MediaType;
import org.springframework.http.server.RequestPath;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ServletRequestPathUtils;

/**
 * Bounds the request bodies of the {@link SecureStreamsPolicyEndpoint} before Spring MVC reads
 * them (servlet): the actuator reads a body whole, as JSON, before any endpoint code can look at
 * the overlay's size, and Spring MVC sets no bound of its own. A body announced as longer than
 * {@link SecureStreamsPolicyEndpoint#MAX_REQUEST_BODY_BYTES} is answered 413 at once, without
 * being read; a body without a length (chunked) is cut off when it passes the bound, and
 * {@link SecureStreamsPolicyEndpointErrorResolver} answers 413.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SecureStreamsPolicyEndpointBodyLimitFilter extends OncePerRequestFilter {

	private static final long MAX_BODY_BYTES = SecureStreamsPolicyEndpoint.MAX_REQUEST_BODY_BYTES;

	private final PathMappedEndpoints endpoints;

	/**
	 * Creates the filter.
	 * @param endpoints where the endpoints are mapped, to recognise the policy endpoint's requests
	 */
	public SecureStreamsPolicyEndpointBodyLimitFilter(PathMappedEndpoints endpoints) {
		this.endpoints = endpoints;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !isPolicyEndpoint(this.endpoints, request);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		long length = request.getContentLengthLong();
		if (length > MAX_BODY_BYTES) {
			writeError(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
					PolicyEndpointRequests.tooLarge(length + " bytes", MAX_BODY_BYTES, null));
			return;
		}
		chain.doFilter(new BoundedBodyRequest(request), response);
	}

	static boolean isPolicyEndpoint(PathMappedEndpoints endpoints, HttpServletRequest request) {
		return PolicyEndpointRequests.isPolicyEndpoint(endpoints, requestPath(request).pathWithinApplication());
	}

	// The path as the DispatcherServlet parses it to route the request (without the context path
	// and a servlet path prefix). Before the DispatcherServlet has parsed it, this parses it the
	// same way and leaves no trace on the request, as the DispatcherServlet expects.
	private static RequestPath requestPath(HttpServletRequest request) {
		if (ServletRequestPathUtils.hasParsedRequestPath(request)) {
			return ServletRequestPathUtils.getParsedRequestPath(request);
		}
		RequestPath path = ServletRequestPathUtils.parseAndCache(request);
		ServletRequestPathUtils.clearParsedRequestPath(request);
		return path;
	}

	static void writeError(HttpServletResponse response, int status, String error) {
		response.setStatus(status);
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.setCharacterEncoding("UTF-8");
		try {
			response.getOutputStream().write(PolicyEndpointRequests.errorBody(error));
		}
		catch (IOException ex) {
			// The client went away; there is no one left to tell.
		}
	}

	/** The request with a body that fails once it has given more than the bound. */
	private static final class BoundedBodyRequest extends HttpServletRequestWrapper {

		private @Nullable BoundedInputStream body;

		BoundedBodyRequest(HttpServletRequest request) {
			super(request);
		}

		@Override
		public ServletInputStream getInputStream() throws IOException {
			BoundedInputStream bounded = this.body;
			if (bounded == null) {
				bounded = new BoundedInputStream(super.getInputStream());
				this.body = bounded;
			}
			return bounded;
		}

		@Override
		public BufferedReader getReader() throws IOException {
			String encoding = getCharacterEncoding();
			Charset charset = (encoding != null) ? Charset.forName(encoding) : StandardCharsets.ISO_8859_1;
			return new BufferedReader(new InputStreamReader(getInputStream(), charset));
		}

	}

	private static final class BoundedInputStream extends ServletInputStream {

		private final ServletInputStream delegate;

		private long count;

		BoundedInputStream(ServletInputStream delegate) {
			this.delegate = delegate;
		}

		@Override
		public int read() throws IOException {
			int b = this.delegate.read();
			if (b >= 0) {
				counted(1);
			}
			return b;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			int n = this.delegate.read(buffer, offset, length);
			if (n > 0) {
				counted(n);
			}
			return n;
		}

		private void counted(int n) throws RequestBodyTooLargeException {
			this.count += n;
			if (this.count > MAX_BODY_BYTES) {
				String size = "more than " + MAX_BODY_BYTES + " bytes";
				throw new RequestBodyTooLargeException(PolicyEndpointRequests.tooLarge(size, MAX_BODY_BYTES, null));
			}
		}

		@Override
		public boolean isFinished() {
			return this.delegate.isFinished();
		}

		@Override
		public boolean isReady() {
			return this.delegate.isReady();
		}

		@Override
		public void setReadListener(ReadListener listener) {
			this.delegate.setReadListener(listener);
		}

	}

}
