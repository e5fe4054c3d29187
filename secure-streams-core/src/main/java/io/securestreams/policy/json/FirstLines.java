package io.securestreams.policy.json;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The keys of one JSON object seen so far, with the line each first appeared on, to report a
 * repeated key (JSON parsers usually let the last one win silently). Policy objects are small,
 * so a linear scan is used until an object grows large. Key names from Jackson's symbol table
 * cache their hash, so the scan compares hashes before text. One instance is reused for every
 * object at the same nesting depth ({@link #clear()}), instead of one per object.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class FirstLines {

	private static final int LINEAR_LIMIT = 16;

	private String[] names = new String[4];

	private int[] lines = new int[4];

	private int[] hashes = new int[4];

	private int size;

	private @Nullable Map<String, Integer> large;

	/**
	 * Records a key unless it was seen before.
	 * @param name the key
	 * @param line the line it is on
	 * @return the line of its first occurrence, or 0 when it is new
	 */
	int putIfAbsent(String name, int line) {
		Map<String, Integer> map = this.large;
		if (map != null) {
			Integer first = map.putIfAbsent(name, line);
			return (first != null) ? first : 0;
		}
		int hash = name.hashCode();
		for (int i = 0; i < this.size; i++) {
			if (this.hashes[i] == hash && this.names[i].equals(name)) {
				return this.lines[i];
			}
		}
		if (this.size < LINEAR_LIMIT) {
			if (this.size == this.names.length) {
				this.names = Arrays.copyOf(this.names, LINEAR_LIMIT);
				this.lines = Arrays.copyOf(this.lines, LINEAR_LIMIT);
				this.hashes = Arrays.copyOf(this.hashes, LINEAR_LIMIT);
			}
			this.names[this.size] = name;
			this.hashes[this.size] = hash;
			this.lines[this.size++] = line;
			return 0;
		}
		map = new HashMap<>();
		for (int i = 0; i < this.size; i++) {
			map.put(this.names[i], this.lines[i]);
		}
		map.put(name, line);
		this.large = map;
		return 0;
	}

	/** Forgets every key, to be reused for the next object. */
	void clear() {
		// The old names stay referenced until overwritten: instances live only as long as the
		// document's cursor, and clearing them cost more than the scan.
		this.size = 0;
		this.large = null;
	}

}
