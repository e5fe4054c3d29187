package io.securestreams.protocol.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.securestreams.StreamState;
import io.securestreams.policy.HttpResponseMapping;
import io.securestreams.policy.HttpSettings;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.protocol.StreamLink;
import io.securestreams.transport.ConnectTarget;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the head of each response of an http connection (h1, or the streams of an h2 one) and says
 * what it means for the transaction: an interim 1xx is skipped; 503 and 429 ask to retry after the
 * server's {@code Retry-After}; a redirect is followed when {@code allow_redirects} is set,
 * {@code http_fail_redirect} is not and the request had no body or the status is 303 (see
 * {@link HttpTransaction}); anything else is the final answer. The cookies of every non-interim
 * answer are kept with {@code http_cookies}, as libwebsockets reads them before looking at the
 * status. For a final answer it decides whether the transaction succeeded ({@code http_expect}, or
 * any 2xx; a redirect under {@code http_fail_redirect} fails) and whether the server keeps the
 * connection alive, stores the response headers mapped to metadata and reports the
 * {@code http_resp_map} state for the status, all before the connection reports CONNECTED.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class HttpResponseHead {

	private static final Logger logger = LoggerFactory.getLogger(HttpResponseHead.class);

	private static final Set<String> CONVERSION_HEADERS = Arrays
		.stream(HttpConversionUtil.ExtensionHeaderNames.values())
		.map((name) -> name.text().toString())
		.collect(Collectors.toUnmodifiableSet());

	/** What a response head means for the transaction. */
	enum Verdict {

		/** An interim 1xx response; the final one follows. */
		INTERIM,

		/** The server is busy (503 or 429): retry after {@link #retryAfterMillis()}. */
		RETRY_LATER,

		/** A redirect that will be followed; the response body is not delivered. */
		REDIRECT,

		/** The final answer, whose {@code http_resp_map} state the application answered by stopping. */
		STOPPED,

		/** The final answer; the body follows. */
		FINAL

	}

	private final StreamLink link;

	private final HttpRedirects redirects;

	private boolean good;

	private boolean keepAlive;

	private long retryAfterMillis;

	/**
	 * Creates the reader of one connection's response heads.
	 * @param link the stream's link
	 * @param redirects where redirects lead
	 */
	HttpResponseHead(StreamLink link, HttpRedirects redirects) {
		this.link = link;
		this.redirects = redirects;
	}

	/**
	 * Reads a response head.
	 * @param response the head
	 * @param request the request it answers
	 * @param target where the request went
	 * @param hops how many redirects led to {@code target}
	 * @return what the head means for the transaction
	 */
	Verdict read(HttpResponse response, PolicyRequest request, ConnectTarget target, int hops) {
		int status = response.status().code();
		if (status >= 100 && status < 200) {
			return Verdict.INTERIM;
		}
		this.link.httpStatus(status);
		HttpSettings http = this.link.policy().http();
		if (http.cookies()) {
			this.link.cookies().keepCookies(target, response.headers());
		}
		if (status == 503 || status == 429) {
			this.retryAfterMillis = RetryAfter.millis(response.headers().get(HttpHeaderNames.RETRY_AFTER),
					System.currentTimeMillis());
			logger.info("server answered {} to streamtype '{}'; retrying after at least {} ms", status,
					this.link.policy().name(), this.retryAfterMillis);
			return Verdict.RETRY_LATER;
		}
		String location = response.headers().get(HttpHeaderNames.LOCATION);
		boolean redirect = location != null && HttpRedirects.isRedirect(status);
		// A request with a body is followed only to a 303, which is answered with a GET without
		// one; other redirects would need the body again, which onTx gave already.
		boolean followable = request.body == PolicyRequest.Body.NONE || status == 303;
		if (redirect && !http.failRedirect() && http.allowRedirects() && followable
				&& this.redirects.follow(target, hops, location)) {
			return Verdict.REDIRECT;
		}
		this.good = !(redirect && http.failRedirect())
				&& ((http.expect() != null) ? status == http.expect() : status >= 200 && status < 300);
		this.keepAlive = HttpUtil.isKeepAlive(response);
		if (this.link.policy().directProtoStr()) {
			this.link.receivedHeaders(peerHeaders(response));
		}
		boolean h2 = response.headers().contains(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
		for (MetadataDeclaration declaration : this.link.policy().metadata()) {
			String value = declaration.isMapped()
					? ResponseHeaderValues.joined(response.headers(), declaration.headerName()) : null;
			if (value != null && !(h2 && isChunkedByConversion(declaration.headerName()))) {
				// Netty reads each header byte as one char: ISO-8859-1 gives back the bytes sent.
				this.link.receivedMetadata(declaration.name(), value.getBytes(StandardCharsets.ISO_8859_1));
			}
		}
		for (HttpResponseMapping mapping : http.responseMap()) {
			if (mapping.status() == status && HttpTransaction.stops(this.link.state(StreamState.of(mapping.state())))) {
				return Verdict.STOPPED;
			}
		}
		return Verdict.FINAL;
	}

	// Every header the server sent: not those Netty's h2-to-http conversion adds (x-http2-stream-id
	// and the like).
	private static List<Map.Entry<CharSequence, CharSequence>> peerHeaders(HttpResponse response) {
		boolean h2 = response.headers().contains(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
		List<Map.Entry<CharSequence, CharSequence>> headers = new ArrayList<>();
		response.headers().iteratorCharSequence().forEachRemaining((header) -> {
			String name = header.getKey().toString().toLowerCase(Locale.ROOT);
			if (!CONVERSION_HEADERS.contains(name) && !(h2 && isChunkedByConversion(name))) {
				headers.add(header);
			}
		});
		return headers;
	}

	// Netty's h2-to-http conversion marks a response without content-length as chunked; an h2
	// peer cannot send Transfer-Encoding (RFC 9113 section 8.2.2), so on h2 it is never the peer's.
	private static boolean isChunkedByConversion(String headerName) {
		return HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(headerName);
	}

	/**
	 * Returns the delay the last 503 or 429 asked for.
	 * @return milliseconds, 0 when the server named none
	 */
	long retryAfterMillis() {
		return this.retryAfterMillis;
	}

	/**
	 * Returns whether the last final answer means the transaction succeeded.
	 * @return {@code true} for QOS_ACK_REMOTE, {@code false} for QOS_NACK_REMOTE
	 */
	boolean isGood() {
		return this.good;
	}

	/**
	 * Returns whether the server keeps the connection open after the last final answer.
	 * @return {@code true} when the connection may carry the next transaction
	 */
	boolean isKeepAlive() {
		return this.keepAlive;
	}

}
