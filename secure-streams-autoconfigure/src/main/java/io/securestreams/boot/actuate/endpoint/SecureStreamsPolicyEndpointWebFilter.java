package io.securestreams.boot.actuate.endpoint;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;

import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.core.Ordered;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * The reactive (WebFlux) counterpart of {@link SecureStreamsPolicyEndpointBodyLimitFilter} and
 * {@link SecureStreamsPolicyEndpointErrorResolver}, for requests to the
 * {@link SecureStreamsPolicyEndpoint}. A body announced as longer than the server reads (the
 * smaller of {@link SecureStreamsPolicyEndpoint#MAX_REQUEST_BODY_BYTES} and the codecs'
 * in-memory limit, {@code spring.http.codecs.max-in-memory-size}) is answered 413 at once,
 * without being read; a chunked body is cut off at the endpoint's bound. A body WebFlux cannot
 * read is answered as the endpoint answers a bad overlay: 400, 413 or 415 with
 * {@code {"errors": ["request body:LINE:COL: PATH: MESSAGE"]}} instead of WebFlux's error page,
 * which does not say what is wrong. These answers close the connection, since the body may be
 * left unread. Requests to other paths pass untouched.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SecureStreamsPolicyEndpointWebFilter implements WebFilter, Ordered {

	private static final long MAX_BODY_BYTES = SecureStreamsPolicyEndpoint.MAX_REQUEST_BODY_BYTES;

	private static final String CODEC_LIMIT = "spring.http.codecs.max-in-memory-size";

	private final PathMappedEndpoints endpoints;

	private final long codecLimit;

	/**
	 * Creates the filter.
	 * @param endpoints where the endpoints are mapped, to recognise the policy endpoint's requests
	 * @param codecLimit the most bytes the server's JSON codec reads into memory, or a negative
	 * number when it sets no limit
	 */
	public SecureStreamsPolicyEndpointWebFilter(PathMappedEndpoints endpoints, long codecLimit) {
		this.endpoints = endpoints;
		this.codecLimit = codecLimit;
	}

	// First, as the servlet filter: nothing before it should start reading a body it refuses.
	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		if (!PolicyEndpointRequests.isPolicyEndpoint(this.endpoints, request.getPath().pathWithinApplication())) {
			return chain.filter(exchange);
		}
		long length = request.getHeaders().getContentLength();
		if (length > MAX_BODY_BYTES) {
			return answer(exchange, HttpStatus.CONTENT_TOO_LARGE,
					PolicyEndpointRequests.tooLarge(length + " bytes", MAX_BODY_BYTES, null));
		}
		if (this.codecLimit >= 0 && length > this.codecLimit) {
			return answer(exchange, HttpStatus.CONTENT_TOO_LARGE,
					PolicyEndpointRequests.tooLarge(length + " bytes", this.codecLimit, CODEC_LIMIT));
		}
		ServerWebExchange bounded = exchange.mutate().request(new BoundedBodyRequest(request)).build();
		return chain.filter(bounded).onErrorResume((ex) -> refused(exchange, ex));
	}

	private Mono<Void> refused(ServerWebExchange exchange, Throwable ex) {
		RequestBodyTooLargeException tooLarge = PolicyEndpointRequests.cause(ex, RequestBodyTooLargeException.class);
		if (tooLarge != null) {
			return answer(exchange, HttpStatus.CONTENT_TOO_LARGE, String.valueOf(tooLarge.getMessage()), ex);
		}
		if (PolicyEndpointRequests.cause(ex, DataBufferLimitException.class) != null) {
			String error = (this.codecLimit >= 0)
					? PolicyEndpointRequests.tooLarge("more than " + this.codecLimit + " bytes", this.codecLimit,
							CODEC_LIMIT)
					: PolicyEndpointRequests.SOURCE + ": longer than the server's codecs read (" + CODEC_LIMIT + ")";
			return answer(exchange, HttpStatus.CONTENT_TOO_LARGE, error, ex);
		}
		if (ex instanceof UnsupportedMediaTypeStatusException unsupported) {
			if (!unsupported.getSupportedMediaTypes().isEmpty()) {
				exchange.getResponse().getHeaders().setAccept(unsupported.getSupportedMediaTypes());
			}
			String error = PolicyEndpointRequests.unsupported(unsupported.getContentType(),
					unsupported.getSupportedMediaTypes());
			return answer(exchange, HttpStatus.UNSUPPORTED_MEDIA_TYPE, error, ex);
		}
		boolean decoding = PolicyEndpointRequests.cause(ex, DecodingException.class) != null;
		if (ex instanceof ServerWebInputException && decoding) {
			JacksonException json = PolicyEndpointRequests.cause(ex, JacksonException.class);
			return answer(exchange, HttpStatus.BAD_REQUEST, PolicyEndpointRequests.unreadable(json), ex);
		}
		return Mono.error(ex);
	}

	private static Mono<Void> answer(ServerWebExchange exchange, HttpStatus status, String error) {
		return answer(exchange, status, error, null);
	}

	private static Mono<Void> answer(ServerWebExchange exchange, HttpStatus status, String error,
			@Nullable Throwable cause) {
		ServerHttpResponse response = exchange.getResponse();
		if (response.isCommitted()) {
			// Too late to answer: let the server deal with the failure as with any other.
			return Mono.error((cause != null) ? cause : new IllegalStateException(error));
		}
		response.setStatusCode(status);
		response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
		// The request's body may be unread, or read in part: a client that sent the next request
		// on this connection could wait for its answer for ever (seen with Reactor Netty).
		response.getHeaders().setConnection("close");
		DataBuffer body = response.bufferFactory().wrap(PolicyEndpointRequests.errorBody(error));
		return response.writeWith(Mono.just(body));
	}

	/** The request with a body that fails once it has given more than the endpoint's bound. */
	private static final class BoundedBodyRequest extends ServerHttpRequestDecorator {

		BoundedBodyRequest(ServerHttpRequest request) {
			super(request);
		}

		@Override
		public Flux<DataBuffer> getBody() {
			Flux<DataBuffer> body = super.getBody();
			return Flux.defer(() -> {
				long[] count = new long[1];
				return body.handle((buffer, sink) -> {
					count[0] += buffer.readableByteCount();
					if (count[0] > MAX_BODY_BYTES) {
						DataBufferUtils.release(buffer);
						sink.error(new RequestBodyTooLargeException(PolicyEndpointRequests
							.tooLarge("more than " + MAX_BODY_BYTES + " bytes", MAX_BODY_BYTES, null)));
					}
					else {
						sink.next(buffer);
					}
				});
			});
		}

	}

}
