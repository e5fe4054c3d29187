package io.securestreams.protocol.http;

import java.util.Locale;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.securestreams.policy.HttpSettings;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.StreamLink;
import io.securestreams.transport.ConnectTarget;
import org.jspecify.annotations.Nullable;

/**
 * Builds the request of one http transaction from the streamtype policy: method and path,
 * metadata mapped to headers, the system-blob headers ({@code http_auth_header} and friends)
 * and the body framing.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class PolicyRequest {

	/** How the request body is framed. */
	enum Body {

		NONE, FIXED, CHUNKED

	}

	final HttpRequest request;

	final Body body;

	final long contentLength;

	/**
	 * The most body bytes the application may write (the announced length, or what a
	 * content-length from metadata leaves after any multipart framing), or -1 when unbounded.
	 */
	final long bodyLimit;

	/** The {@code txLengthSerial} of the announced length this request was built with. */
	final long lengthSerial;

	/** The body's parts (multipart, or a rideshare chain), or {@code null} for a plain body. */
	final @Nullable RequestParts parts;

	private PolicyRequest(HttpRequest request, Body body, long contentLength, long bodyLimit, long lengthSerial,
			@Nullable RequestParts parts) {
		this.request = request;
		this.body = body;
		this.contentLength = contentLength;
		this.bodyLimit = bodyLimit;
		this.lengthSerial = lengthSerial;
		this.parts = parts;
	}

	/**
	 * Builds the request for the next transaction.
	 * @param link the stream's link
	 * @param target where it goes
	 * @param seeOther whether a 303 led to {@code target}: the request is then a GET without a body
	 * @return the request
	 * @throws IllegalStateException when a system blob the policy needs is missing, or when the
	 * expanded url or a header value cannot be sent (a space or line break from metadata or a blob)
	 */
	static PolicyRequest build(StreamLink link, ConnectTarget target, boolean seeOther) {
		try {
			checkTarget(target.path());
			return seeOther ? composeGet(link, target) : compose(link, target);
		}
		catch (IllegalArgumentException ex) {
			// Netty refuses an unsafe request line or header value; the bindings fail the attempt on
			// IllegalStateException, where anything else escaped and left the stream hanging.
			throw new IllegalStateException("the request for streamtype '" + link.policy().name() + "' to "
					+ target.path() + " cannot be sent: " + ex.getMessage(), ex);
		}
	}

	// Netty refuses a space or line break in the request target but lets a tab, NUL or DEL through
	// (from a metadata value substituted into http_url): a tab splits the request line for servers
	// that read any whitespace as a separator (RFC 9112 section 3), so none goes out, as on ws.
	private static void checkTarget(String path) {
		for (int i = 0; i < path.length(); i++) {
			char c = path.charAt(i);
			if (c < ' ' || c == 0x7f) {
				throw new IllegalArgumentException("the request target (http_url, expanded) holds control character "
						+ "0x" + Integer.toHexString(c) + " at index " + i);
			}
		}
	}

	private static PolicyRequest compose(StreamLink link, ConnectTarget target) {
		StreamTypePolicy policy = link.policy();
		HttpSettings http = policy.http();
		String methodName = (http.method() != null) ? http.method().toUpperCase(Locale.ROOT) : "GET";
		HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(methodName),
				target.path());
		HttpHeaders headers = request.headers();
		headers.set(HttpHeaderNames.HOST, target.authority());
		RequestHeaders.add(policy, link.metadata(), link.blobs(), headers);
		addCookies(link, target, headers);
		// The length and its serial are read together: a length announced from here on is the
		// next message's, not this one's.
		long announced = link.txLength();
		long serial = link.txLengthSerial();
		boolean bodyMethod = methodName.equals("POST") || methodName.equals("PUT") || methodName.equals("PATCH");
		RequestParts parts = (announced >= 0 || bodyMethod) ? RequestParts.of(policy, link.rideshares()) : null;
		if (parts != null && parts.contentType() != null) {
			headers.set(HttpHeaderNames.CONTENT_TYPE, parts.contentType());
		}
		else if (http.wwwFormUrlencoded() && !headers.contains(HttpHeaderNames.CONTENT_TYPE)) {
			headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_X_WWW_FORM_URLENCODED);
		}
		int framing = (parts != null) ? parts.framing() : 0;
		Body body = Body.NONE;
		long length = -1;
		long limit = announced;
		// A content-length from metadata frames the body unless the announced length goes out as
		// the content-length instead (with http_no_content_length it does not).
		boolean announcedSent = announced >= 0 && !http.noContentLength();
		long manual = announcedSent ? -1 : manualContentLength(headers, policy);
		if (announcedSent) {
			body = Body.FIXED;
			length = announced + framing;
			headers.set(HttpHeaderNames.CONTENT_LENGTH, length);
		}
		else if (manual > 0) {
			// A content-length from metadata announces the body itself (reference 3.3): the body
			// comes from onTx until EOM, framed by that length, not chunked as well.
			if (manual < framing) {
				throw new IllegalStateException("the content-length " + manual + " from metadata of streamtype '"
						+ policy.name() + "' is shorter than its multipart framing (" + framing + " bytes)");
			}
			body = Body.FIXED;
			length = manual;
			limit = manual - framing;
		}
		else if (manual == 0) {
			// libwebsockets marks a body pending only for a non-zero length: the request goes with
			// "content-length: 0" and no body, never chunked as well (both headers at once are
			// refused by careful servers and misread by careless ones).
			body = Body.NONE;
		}
		else if (announced >= 0 || bodyMethod) {
			body = Body.CHUNKED;
			headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
		}
		// Last, over the headers as they will be sent.
		RequestHeaders.addSignature(link.authScheme(), policy, link.metadata(), link.blobs(), methodName,
				target.path(), headers);
		return new PolicyRequest(request, body, length, limit, serial, parts);
	}

	// The GET that follows a 303: the policy's headers, but no body nor anything announcing one.
	private static PolicyRequest composeGet(StreamLink link, ConnectTarget target) {
		StreamTypePolicy policy = link.policy();
		HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target.path());
		HttpHeaders headers = request.headers();
		headers.set(HttpHeaderNames.HOST, target.authority());
		RequestHeaders.add(policy, link.metadata(), link.blobs(), headers);
		addCookies(link, target, headers);
		headers.remove(HttpHeaderNames.CONTENT_LENGTH);
		headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
		RequestHeaders.addSignature(link.authScheme(), policy, link.metadata(), link.blobs(), "GET", target.path(),
				headers);
		return new PolicyRequest(request, Body.NONE, -1, -1, link.txLengthSerial(), null);
	}

	// The cookies kept for where the request goes, with http_cookies, after any cookie the
	// application mapped from metadata.
	private static void addCookies(StreamLink link, ConnectTarget target, HttpHeaders headers) {
		if (link.policy().http().cookies()) {
			link.cookies().addCookies(target, headers);
		}
	}

	// The value of a content-length header mapped from metadata, or -1 when there is none.
	private static long manualContentLength(HttpHeaders headers, StreamTypePolicy policy) {
		String value = headers.get(HttpHeaderNames.CONTENT_LENGTH);
		if (value == null) {
			return -1;
		}
		try {
			long length = Long.parseLong(value.trim());
			if (length >= 0) {
				return length;
			}
		}
		catch (NumberFormatException ex) {
			// Reported below.
		}
		// Sent as it is, a value that is not a length would frame the body by guesswork.
		throw new IllegalStateException("the content-length '" + value + "' from metadata of streamtype '"
				+ policy.name() + "' is not a length");
	}

}
