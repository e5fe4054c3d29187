package io.securestreams.metadata;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.securestreams.policy.StreamTypePolicy;
import org.jspecify.annotations.Nullable;

/**
 * The metadata values of one stream. Only names the streamtype declares may be set (unless it
 * has {@code direct_proto_str}, where undeclared names ending in {@code :} are raw headers).
 * Thread-safe: applications set values from any thread, the event loop reads them.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class MetadataValues {

	private final Map<String, byte[]> values = new ConcurrentHashMap<>();

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
	 * Forgets every value, for example when a server connection starts its next transaction.
	 */
	public void clear() {
		this.values.clear();
	}

	/**
	 * Returns a value as bytes.
	 * @param name the name
	 * @return a copy, or {@code null} when unset
	 */
	public byte @Nullable [] bytes(String name) {
		byte[] value = this.values.get(name);
		return (value != null) ? value.clone() : null;
	}

	/**
	 * Returns a value as UTF-8 text.
	 * @param name the name
	 * @return the text, or {@code null} when unset
	 */
	public @Nullable String text(String name) {
		byte[] value = this.values.get(name);
		return (value != null) ? new String(value, StandardCharsets.UTF_8) : null;
	}

	/**
	 * Returns every value currently set.
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
