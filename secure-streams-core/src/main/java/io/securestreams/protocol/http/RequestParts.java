package io.securestreams.protocol.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.securestreams.policy.HttpSettings;
import io.securestreams.policy.StreamTypePolicy;
import org.jspecify.annotations.Nullable;

/**
 * The parts of a request body: the stream's own streamtype's, then one per streamtype of its
 * {@code rideshare} chain, as libwebsockets' h1 binding sends them. Each part's payload comes
 * from {@code onTx} until an EOM; an EOM before the last part moves the body on to the next part
 * instead of ending it. When the stream's streamtype is multipart ({@code http_multipart_name},
 * {@code http_multipart_filename} or {@code http_mime_content_type}) the body is
 * {@code multipart/form-data}: each part starts with a delimiter and the disposition and type its
 * own streamtype sets, and a closing delimiter ends the body. Otherwise the parts' payloads simply
 * follow each other.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class RequestParts {

	/**
	 * One part.
	 *
	 * @param streamType the streamtype whose payload fills the part
	 * @param head what precedes its payload (empty without multipart)
	 */
	record Part(String streamType, byte[] head) {
	}

	private static final byte[] NONE = new byte[0];

	private final List<Part> parts;

	private final byte[] tail;

	private final @Nullable String contentType;

	private RequestParts(List<Part> parts, byte[] tail, @Nullable String contentType) {
		this.parts = List.copyOf(parts);
		this.tail = tail;
		this.contentType = contentType;
	}

	/**
	 * Returns the parts of a body, or {@code null} for a plain body (one part, not multipart).
	 * @param own the stream's streamtype
	 * @param rideshares the streamtypes of its rideshare chain, in order
	 * @return the parts, or {@code null}
	 */
	static @Nullable RequestParts of(StreamTypePolicy own, List<StreamTypePolicy> rideshares) {
		boolean multipart = own.http().multipart();
		if (!multipart && rideshares.isEmpty()) {
			return null;
		}
		String boundary = "ss-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
		List<Part> parts = new ArrayList<>();
		parts.add(new Part(own.name(), multipart ? head(own, boundary, true) : NONE));
		for (StreamTypePolicy next : rideshares) {
			parts.add(new Part(next.name(), multipart ? head(next, boundary, false) : NONE));
		}
		if (!multipart) {
			return new RequestParts(parts, NONE, null);
		}
		byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
		return new RequestParts(parts, tail, "multipart/form-data; boundary=" + boundary);
	}

	/**
	 * Returns the number of parts.
	 * @return at least 1
	 */
	int count() {
		return this.parts.size();
	}

	/**
	 * Returns a part.
	 * @param index from 0
	 * @return the part
	 */
	Part part(int index) {
		return this.parts.get(index);
	}

	/**
	 * Returns what ends the body after the last part's payload.
	 * @return the closing delimiter, or no bytes without multipart
	 */
	byte[] tail() {
		return this.tail;
	}

	/**
	 * Returns the request's content type.
	 * @return {@code multipart/form-data} with the boundary, or {@code null} without multipart
	 */
	@Nullable String contentType() {
		return this.contentType;
	}

	/**
	 * Returns the bytes the body carries besides the payloads.
	 * @return the heads and the tail
	 */
	int framing() {
		int framing = this.tail.length;
		for (Part part : this.parts) {
			framing += part.head().length;
		}
		return framing;
	}

	private static byte[] head(StreamTypePolicy policy, String boundary, boolean first) {
		HttpSettings http = policy.http();
		StringBuilder head = new StringBuilder(first ? "--" : "\r\n--").append(boundary)
			.append("\r\nContent-Disposition: form-data");
		if (http.multipartName() != null) {
			head.append("; name=\"").append(quoted(http.multipartName())).append('"');
		}
		if (http.multipartFilename() != null) {
			head.append("; filename=\"").append(quoted(http.multipartFilename())).append('"');
		}
		head.append("\r\n");
		String type = http.mimeContentType();
		if (type != null) {
			if (type.chars().anyMatch((c) -> (c < 0x20 && c != '\t') || c == 0x7f)) {
				// It would end the part's header line and add lines of its own.
				throw new IllegalArgumentException("http_mime_content_type of streamtype '" + policy.name()
						+ "' holds a control character, so it cannot be a part header");
			}
			head.append("Content-Type: ").append(type).append("\r\n");
		}
		return head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
	}

	// A name or filename as browsers quote it (the HTML form-data encoding RFC 7578 section 4.2
	// points to): a quote or line break would end the quoted string or the header line.
	private static String quoted(String text) {
		return text.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
	}

}
