package io.securestreams.metadata;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.StreamTypeValues;
import org.jspecify.annotations.Nullable;

/**
 * The metadata values of one stream. Only names the streamtype declares may be set (unless it
 * has {@code direct_proto_str}, where undeclared names ending in {@code :} are raw headers).
 * With {@code direct_proto_str} the headers the peer sent last (a client's response headers, a
 * server's request headers) are readable too, by header name with a colon in any case
 * ({@code "content-type:"}); they are kept apart from the values the application set, so they are
 * never sent back. Thread-safe: applications set values from any thread, the event loop reads
 * them.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class MetadataValues {

	private final Map<String, byte[]> values = new ConcurrentHashMap<>();

	// direct_proto_str: the peer's last headers, by lower-case name with its colon. Replaced as a
	// whole, so that a reader on another thread sees one response's headers or the next one's.
	private volatile Map<String, byte[]> receivedHeaders = Map.of();

	private volatile StreamTypePolicy policy;

	/**
	 * Creates an empty store.
	 * @param policy the streamtype that declares the names
	 */
	public MetadataValues(StreamTypePolicy policy) {
		this.policy = policy;
	}

	/**
	 * Updates the streamtype after a policy change; values of names no longer declared stay
	 * readable but are not applied.
	 * @param policy the new streamtype policy
	 */
	public void policy(StreamTypePolicy policy) {
		this.policy = policy;
	}

	/**
	 * Returns whether a name may be set.
	 * @param name the name
	 * @return {@code true} when declared, or a raw header name with {@code direct_proto_str}
	 */
	public boolean isAllowed(String name) {
		StreamTypePolicy current = this.policy;
		return current.metadata(name) != null || (current.directProtoStr() && StreamTypeValues.isRawHeaderName(name));
	}

	/**
	 * Sets a value.
	 * @param name a declared name
	 * @param value the value
	 * @throws IllegalArgumentException if the streamtype does not declare the name
	 */
	public void set(String name, byte[] value) {
		set(name, value, this.policy);
	}

	/**
	 * Sets a value, checking the name against a given streamtype: the one in force, which an
	 * application thread may know before the stream's event loop has been told of it.
	 * @param name a name the streamtype declares
	 * @param value the value
	 * @param current the streamtype to check against
	 * @throws IllegalArgumentException if the streamtype does not declare the name
	 */
	public void set(String name, byte[] value, StreamTypePolicy current) {
		MetadataDeclaration declaration = current.metadata(name);
		if (declaration == null && !(current.directProtoStr() && StreamTypeValues.isRawHeaderName(name))) {
			String raw = (current.directProtoStr() && name.endsWith(":"))
					? " (a raw header name must be an http token before its colon)" : "";
			throw new IllegalArgumentException("streamtype '" + current.name() + "' does not declare metadata '"
					+ name + "'" + raw + "; declared: " + current.metadata().stream().map((m) -> m.name()).toList());
		}
		int invalid = StreamTypeValues.invalidHeaderValueIndex(value);
		if (invalid >= 0 && (declaration == null || declaration.isMapped())) {
			throw new IllegalArgumentException("metadata '" + name + "' is sent as an http header, so its value "
					+ "must not contain control characters such as CR or LF (byte " + invalid + " is 0x"
					+ Integer.toHexString(value[invalid] & 0xff) + ")");
		}
		this.values.put(name, value.clone());
	}

	/**
	 * Sets a value received from the peer (a response header), without the declaration check.
	 * @param name the name
	 * @param value the value
	 */
	public void setReceived(String name, byte[] value) {
		this.values.put(name, value);
	}

	/**
	 * Replaces the peer's headers readable with {@code direct_proto_str}; does nothing without it.
	 * @param headers the header names (without colon) and values the peer sent last, one char per byte
	 * as Netty decodes them
	 */
	public void setReceivedHeaders(Iterable<Map.Entry<CharSequence, CharSequence>> headers) {
		if (!this.policy.directProtoStr()) {
			this.receivedHeaders = Map.of();
			return;
		}
		Map<String, String> joined = new HashMap<>();
		for (Map.Entry<CharSequence, CharSequence> header : headers) {
			String name = header.getKey().toString().toLowerCase(Locale.ROOT);
			if (!name.startsWith(":")) {
				// Repeated fields are one value joined as http defines it (cookie fragments with
				// "; ", as an h2 client sends them, every other field with ", ").
				String separator = "cookie".equals(name) ? "; " : ", ";
				joined.merge(name + ":", header.getValue().toString(), (first, next) -> first + separator + next);
			}
		}
		Map<String, byte[]> received = new HashMap<>();
		// Header values come from Netty's decoders, one char per byte on the wire: ISO-8859-1
		// gives back the bytes the peer sent (UTF-8 would encode non-ASCII bytes twice).
		joined.forEach((name, value) -> received.put(name, value.getBytes(StandardCharsets.ISO_8859_1)));
		this.receivedHeaders = Map.copyOf(received);
	}

	/**
	 * Forgets every value, for example when a server connection starts its next transaction.
	 */
	public void clear() {
		this.values.clear();
		this.receivedHeaders = Map.of();
	}

	/**
	 * Returns a value as bytes.
	 * @param name the name
	 * @return a copy, or {@code null} when unset
	 */
	public byte @Nullable [] bytes(String name) {
		byte[] value = lookUp(name);
		return (value != null) ? value.clone() : null;
	}

	/**
	 * Returns a value as UTF-8 text.
	 * @param name the name
	 * @return the text, or {@code null} when unset
	 */
	public @Nullable String text(String name) {
		byte[] value = lookUp(name);
		return (value != null) ? new String(value, StandardCharsets.UTF_8) : null;
	}

	/**
	 * Returns a value set on this stream (by the application, or by the binding for a declared
	 * name), never one of the peer's raw headers: what may be sent.
	 * @param name the name
	 * @return the value, or {@code null} when unset
	 */
	public byte @Nullable [] ownValue(String name) {
		byte[] value = this.values.get(name);
		return (value != null) ? value.clone() : null;
	}

	// A raw header name reads what the peer sent, else what the application set.
	private byte @Nullable [] lookUp(String name) {
		Map<String, byte[]> received = this.receivedHeaders;
		if (name.endsWith(":") && !received.isEmpty()) {
			byte[] header = received.get(name.toLowerCase(Locale.ROOT));
			if (header != null) {
				return header;
			}
		}
		return this.values.get(name);
	}

	/**
	 * Returns whether a value is set under the name.
	 * @param name the name
	 * @return {@code true} when {@link #bytes(String)} would return a value set here
	 */
	public boolean contains(String name) {
		return this.values.containsKey(name);
	}

	/**
	 * Returns how many names have a value.
	 * @return the count
	 */
	public int size() {
		return this.values.size();
	}

	/**
	 * Returns every value currently set (not the peer's raw headers).
	 * @return an immutable copy of the name to value map
	 */
	public Map<String, byte[]> snapshot() {
		return Map.copyOf(this.values);
	}

	/**
	 * Expands {@code ${name}} references with this store's values.
	 * @param template the template, may be {@code null}
	 * @return the expansion
	 * @throws IllegalArgumentException for an undeclared or malformed reference
	 */
	public @Nullable String expand(@Nullable String template) {
		StreamTypePolicy current = this.policy;
		return MetadataTemplate.expand(template, this::text, (name) -> current.metadata(name) != null);
	}

}
