package io.securestreams.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ordered map built for one {@link Policy} and handed over to it: the policy wraps it as it
 * is instead of copying it. Merging a large policy built its streamtype map once and then
 * copied all of it again in the record's constructor.
 * <p>
 * Only code of this package can create one, and must not change it after passing it to a
 * policy; a second policy given the same map copies it like any other.
 *
 * @param <V> the value type
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class HandedOverMap<V> extends LinkedHashMap<String, V> {

	private static final long serialVersionUID = 1L;

	private boolean taken;

	/**
	 * Creates a map sized for its entries.
	 * @param expectedSize how many entries it will hold
	 */
	HandedOverMap(int expectedSize) {
		super(Math.max(16, (int) (expectedSize / 0.75f) + 1));
	}

	/**
	 * Returns the map a policy keeps for a map it is given.
	 * @param <V> the value type
	 * @param map the given map
	 * @return an unmodifiable view of {@code map} itself when it is a handed-over map not yet taken,
	 * else of an ordered copy
	 */
	static <V> Map<String, V> keep(Map<String, V> map) {
		if (map instanceof HandedOverMap<V> handedOver && !handedOver.taken) {
			handedOver.taken = true;
			return Collections.unmodifiableMap(handedOver);
		}
		return Collections.unmodifiableMap(new LinkedHashMap<>(map));
	}

}
