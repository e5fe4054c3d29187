package io.securestreams.policy.json;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The names seen so far in one list, to report a repeated one. Lists in policies are short (a
 * streamtype declares a few metadata names), so a linear scan is used until a list grows large,
 * instead of a hash set per list.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class SeenNames {

	private static final int LINEAR_LIMIT = 16;

	private String[] names = new String[4];

	private int size;

	private @Nullable Set<String> large;

	/**
	 * Records a name.
	 * @param name the name
	 * @return {@code true} when it is new, {@code false} when it was seen before
	 */
	boolean add(String name) {
		Set<String> set = this.large;
		if (set != null) {
			return set.add(name);
		}
		for (int i = 0; i < this.size; i++) {
			if (this.names[i].equals(name)) {
				return false;
			}
		}
		if (this.size < LINEAR_LIMIT) {
			if (this.size == this.names.length) {
				this.names = Arrays.copyOf(this.names, LINEAR_LIMIT);
			}
			this.names[this.size++] = name;
			return true;
		}
		set = new HashSet<>(Arrays.asList(this.names));
		set.add(name);
		this.large = set;
		return true;
	}

}
