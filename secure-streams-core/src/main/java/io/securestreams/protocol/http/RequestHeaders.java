package io.securestreams.protocol.http;

import java.nio.charset.CodingErrorAction;
import java.nio.charset.CharacterCodingException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.securestreams.SystemBlobs;
import io.securestreams.auth.AwsCredentials;
import io.securestreams.auth.SigV4Signer;
import io.securestreams.metadata.MetadataHeaders;
import io.securestreams.metadata.MetadataValues;
import io.securestreams.policy.AuthScheme;
import io.securestreams.policy.HttpSettings;
import io.securestreams.policy.StreamTypePolicy;
import org.jspecify.annotations.Nullable;

/**
 * Adds the headers a streamtype policy puts on every http request of a client stream, as
 * libwebsockets' {@code ss-h1.c} and {@code ss-ws.c} do when they append handshake headers:
 * metadata mapped to headers (and, with {@code direct_proto_str}, metadata named after a header),
 * and the system-blob headers {@code http_auth_header} (prefixed by {@code http_auth_preamble},
 * hex-encoded with {@code auth_hexify}), {@code http_dsn_header}, {@code http_fwv_header} and
 * {@code http_devtype_header}. The h1 binding uses it for each request, the ws binding for the
 * upgrade request.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class RequestHeaders {

	/** The auth scheme type that signs requests. */
	public static final String SIGV4 = "sigv4";

	private static final String CONTENT_SHA256 = "x-amz-content-sha256";

	private RequestHeaders() {
	}

	/**
	 * Adds the metadata and system-blob headers.
	 * @param policy the streamtype
	 * @param metadata the stream's metadata values
	 * @param blobs the system blob store
	 * @param headers where the headers go
	 * @throws IllegalStateException when a system blob the policy sends is missing (libwebsockets
	 * aborts the request then; the caller fails the connection attempt)
	 */
	public static void add(StreamTypePolicy policy, MetadataValues metadata, SystemBlobs blobs, HttpHeaders headers) {
		addMetadataHeaders(policy, metadata, headers);
		addBlobHeaders(policy.http(), blobs, headers);
	}

	/**
	 * Adds the headers of metadata declared with a header name and, with
	 * {@code direct_proto_str}, of undeclared metadata whose name ends with a colon.
	 * @param policy the streamtype
	 * @param metadata the stream's metadata values
	 * @param headers where the headers go
	 */
	public static void addMetadataHeaders(StreamTypePolicy policy, MetadataValues metadata, HttpHeaders headers) {
		// As bytes: Netty writes each char of a String header value as one byte (h1 and h2), so a
		// value decoded to text would go out as Latin-1, not as the bytes the application set.
		MetadataHeaders.forEachBytes(policy, metadata, (name, value) -> headers.set(name, new AsciiString(value)));
	}

	/**
	 * Adds the system-blob headers the policy names.
	 * @param http the streamtype's http settings
	 * @param blobs the system blob store
	 * @param headers where the headers go
	 * @throws IllegalStateException when a blob the policy sends is missing
	 */
	public static void addBlobHeaders(HttpSettings http, SystemBlobs blobs, HttpHeaders headers) {
		if (http.authHeader() != null) {
			byte[] token = blobs.get(SystemBlobs.Type.AUTH, 0);
			if (token == null) {
				throw new IllegalStateException("http_auth_header is set but the system blob store has no AUTH token");
			}
			// As bytes, as libwebsockets copies the blob: a token is not necessarily UTF-8 text.
			byte[] value = http.authHexify() ? HexFormat.of().formatHex(token).getBytes(StandardCharsets.US_ASCII)
					: token;
			byte[] preamble = (http.authPreamble() != null) ? http.authPreamble().getBytes(StandardCharsets.UTF_8)
					: new byte[0];
			byte[] header = Arrays.copyOf(preamble, preamble.length + value.length);
			System.arraycopy(value, 0, header, preamble.length, value.length);
			headers.set(headerName(http.authHeader()), withoutLeadingSpaces(header));
		}
		blobHeader(http.dsnHeader(), blobs, SystemBlobs.Type.DEVICE_SERIAL, headers);
		blobHeader(http.fwvHeader(), blobs, SystemBlobs.Type.DEVICE_FW_VERSION, headers);
		blobHeader(http.devtypeHeader(), blobs, SystemBlobs.Type.DEVICE_TYPE, headers);
	}

	/**
	 * Adds the {@code Authorization} header of a {@code sigv4} auth scheme, as libwebsockets'
	 * {@code auth-sigv4} does after every other header: signed are {@code host} and the
	 * {@code x-amz-*} headers (typically metadata mapped to {@code x-amz-date:} and
	 * {@code x-amz-content-sha256:}, whose value is the payload hash), with the region and service
	 * taken from the metadata that {@code aws_region} and {@code aws_service} name, and the key
	 * from {@link SystemBlobs#awsCredentials(int)}. Schemes of other types add nothing.
	 * @param scheme the streamtype's auth scheme, or {@code null}
	 * @param policy the streamtype
	 * @param metadata the stream's metadata values
	 * @param blobs the system blob store
	 * @param method the request method
	 * @param path the request path
	 * @param headers the request's headers, complete
	 * @throws IllegalStateException when the key, the region, the service, {@code x-amz-date} or
	 * {@code x-amz-content-sha256} is missing (the caller fails the attempt)
	 */
	public static void addSignature(@Nullable AuthScheme scheme, StreamTypePolicy policy, MetadataValues metadata,
			SystemBlobs blobs, String method, String path, HttpHeaders headers) {
		if (scheme == null || !SIGV4.equalsIgnoreCase(scheme.type())) {
			return;
		}
		AwsCredentials credentials = blobs.awsCredentials(scheme.blob());
		if (credentials == null) {
			throw new IllegalStateException("auth scheme '" + scheme.name() + "' (sigv4) has no AWS key in the system "
					+ "blob store for blob " + scheme.blob());
		}
		String region = metadataValue(policy.awsRegion(), "aws_region", metadata);
		String service = metadataValue(policy.awsService(), "aws_service", metadata);
		String payloadHash = headers.get(CONTENT_SHA256);
		if (payloadHash == null) {
			throw new IllegalStateException("sigv4 needs the payload hash: map a metadata name to \"" + CONTENT_SHA256
					+ ":\" and set it");
		}
		Map<String, String> sent = new LinkedHashMap<>();
		for (Map.Entry<String, String> header : headers) {
			sent.put(header.getKey(), utf8Text(header.getKey(), header.getValue()));
		}
		try {
			headers.set(HttpHeaderNames.AUTHORIZATION,
					SigV4Signer.authorization(method, path, sent, payloadHash, region, service, credentials));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException(ex.getMessage(), ex);
		}
	}

	/**
	 * The text of a header value as the server reads it. Values are held one char per byte sent
	 * (metadata crosses as bytes), while sigv4 hashes the canonical request as UTF-8 text: the
	 * bytes are decoded as UTF-8 here, so the signature covers exactly the bytes on the wire. A
	 * value that is not UTF-8 cannot be signed (AWS reads header values as UTF-8).
	 */
	private static String utf8Text(String name, String byteChars) {
		byte[] bytes = byteChars.getBytes(StandardCharsets.ISO_8859_1);
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes))
				.toString();
		}
		catch (CharacterCodingException ex) {
			throw new IllegalStateException("sigv4 cannot sign header '" + name + "': its value is not UTF-8");
		}
	}

	private static String metadataValue(@Nullable String name, String key, MetadataValues metadata) {
		String value = (name != null) ? metadata.text(name) : null;
		if (value == null || value.isEmpty()) {
			throw new IllegalStateException("sigv4 needs " + key + ((name != null) ? ": metadata '" + name
					+ "' has no value" : " naming the metadata that holds it"));
		}
		return value;
	}

	private static void blobHeader(@Nullable String header, SystemBlobs blobs, SystemBlobs.Type type,
			HttpHeaders headers) {
		if (header != null) {
			byte[] value = blobs.get(type, 0);
			if (value == null) {
				throw new IllegalStateException("the policy sends " + header + " but the system blob store has no "
						+ type + " value");
			}
			headers.set(headerName(header), withoutLeadingSpaces(value));
		}
	}

	// libwebsockets writes a blob header's value after the colon and a space as it is, and the
	// server drops the spaces that start it (RFC 9110 section 5.5), so " Bearer " works there as a
	// preamble; Netty refuses a value that starts with one, which failed every request. They are
	// left out here, as the server would drop them.
	private static AsciiString withoutLeadingSpaces(byte[] value) {
		int start = 0;
		while (start < value.length && (value[start] == ' ' || value[start] == '\t')) {
			start++;
		}
		return new AsciiString(value, start, value.length - start, false);
	}

	private static String headerName(String policyName) {
		return policyName.endsWith(":") ? policyName.substring(0, policyName.length() - 1) : policyName;
	}

}
