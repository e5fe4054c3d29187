package io.securestreams.metadata;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.securestreams.policy.StreamTypePolicy;
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

	// direct_proto_str: the peer's last headers, by lower-case name with its colon.
	private final Map<String, byte[]> receivedHeaders = new ConcurrentHashMap<>();

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
		return current.metadata(name) != null || (current.directProtoStr() && name.endsWith(":"));
	}

	/**
	 * Sets a value.
	 * @param name a declared name
	 * @param value the value
	 * @throws IllegalArgumentException if the streamtype does not declare the name
	 */
	public void set(String name, byte[] value) {
		if (!isAllowed(name)) {
			throw new IllegalArgumentException("streamtype '" + this.policy.name() + "' does not declare metadata '"
					+ name + "'; declared: " + this.policy.metadata().stream().map((m) -> m.name()).toList());
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
	 * @param headers the header names (without colon) and values the peer sent last
	 */
	public void setReceivedHeaders(Iterable<Map.Entry<CharSequence, CharSequence>> headers) {
		this.receivedHeaders.clear();
		if (!this.policy.directProtoStr()) {
			return;
		}
		for (Map.Entry<CharSequence, CharSequence> header : headers) {
			String name = header.getKey().toString();
			if (!name.startsWith(":")) {
				// A repeated header keeps its first value, as a single-valued lookup must pick one.
				this.receivedHeaders.putIfAbsent(name.toLowerCase(Locale.ROOT) + ":",
						header.getValue().toString().getBytes(StandardCharsets.UTF_8));
			}
		}
	}

	/**
	 * Forgets every value, for example when a server connection starts its next transaction.
	 */
	public void clear() {
		this.values.clear();
		this.receivedHeaders.clear();
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
		if (name.endsWith(":") && !this.receivedHeaders.isEmpty()) {
			byte[] received = this.receivedHeaders.get(name.toLowerCase(Locale.ROOT));
			if (received != null) {
				return received;
			}
		}
		return this.values.get(name);
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
