package io.securestreams.protocol.http;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;

import io.netty.handler.codec.http.HttpHeaders;
import io.securestreams.SystemBlobs;
import io.securestreams.metadata.MetadataValues;
import io.securestreams.policy.HttpSettings;
import io.securestreams.policy.MetadataDeclaration;
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
		for (MetadataDeclaration declaration : policy.metadata()) {
			String value = declaration.isMapped() ? metadata.text(declaration.name()) : null;
			if (value != null) {
				headers.set(declaration.headerName(), value);
			}
		}
		if (policy.directProtoStr()) {
			for (Map.Entry<String, byte[]> entry : metadata.snapshot().entrySet()) {
				String name = entry.getKey();
				if (name.endsWith(":") && policy.metadata(name) == null) {
					headers.set(name.substring(0, name.length() - 1), new String(entry.getValue(), StandardCharsets.UTF_8));
				}
			}
		}
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
			String value = http.authHexify() ? HexFormat.of().formatHex(token) : new String(token, StandardCharsets.UTF_8);
			String preamble = (http.authPreamble() != null) ? http.authPreamble() : "";
			headers.set(headerName(http.authHeader()), preamble + value);
		}
		blobHeader(http.dsnHeader(), blobs, SystemBlobs.Type.DEVICE_SERIAL, headers);
		blobHeader(http.fwvHeader(), blobs, SystemBlobs.Type.DEVICE_FW_VERSION, headers);
		blobHeader(http.devtypeHeader(), blobs, SystemBlobs.Type.DEVICE_TYPE, headers);
	}

	private static void blobHeader(@Nullable String header, SystemBlobs blobs, SystemBlobs.Type type,
			HttpHeaders headers) {
		if (header != null) {
			String value = blobs.getString(type, 0);
			if (value == null) {
				throw new IllegalStateException("the policy sends " + header + " but the system blob store has no "
						+ type + " value");
			}
			headers.set(headerName(header), value);
		}
	}

	private static String headerName(String policyName) {
		return policyName.endsWith(":") ? policyName.substring(0, policyName.length() - 1) : policyName;
	}

}
