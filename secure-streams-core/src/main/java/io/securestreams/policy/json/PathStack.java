package io.securestreams.policy.json;

import java.util.Arrays;

/**
 * The document path of the current JSON value, kept as a stack of segments and only turned
 * into text such as {@code s[2].mintest.retry} when a problem needs it. Every key and element
 * of a document passes through it, so it is two plain arrays rather than a list of boxed
 * indexes.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class PathStack {

	/** The longest name a formatted path holds whole. */
	static final int MAX_NAME_LENGTH = 64;

	// Member names, or null where the segment is an array index (then in indexes).
	private String[] names;

	private int[] indexes;

	private int size;

	PathStack() {
		this(new String[16], new int[16], 0);
	}

	private PathStack(String[] names, int[] indexes, int size) {
		this.names = names;
		this.indexes = indexes;
		this.size = size;
	}

	int size() {
		return this.size;
	}

	void pushName(String name) {
		ensureRoom();
		this.names[this.size++] = name;
	}

	void pushIndex(int index) {
		ensureRoom();
		this.names[this.size] = null;
		this.indexes[this.size++] = index;
	}

	void pop() {
		this.size--;
	}

	/**
	 * Drops the segments above a depth.
	 * @param size the number of segments to keep
	 */
	void truncate(int size) {
		this.size = Math.min(this.size, size);
	}

	/**
	 * Returns a copy that later pushes and pops do not change, to format only if needed.
	 * @return the copy
	 */
	PathStack copy() {
		return new PathStack(Arrays.copyOf(this.names, this.size), Arrays.copyOf(this.indexes, this.size), this.size);
	}

	/**
	 * Formats the path. A name longer than {@value #MAX_NAME_LENGTH} characters is shortened, as
	 * an unknown key is in its message: a path is formatted for each problem, and thousands of
	 * problems inside an object whose name has 50,000 characters would each repeat it whole.
	 * @return for example {@code s[2].mintest}, empty at the root
	 */
	String format() {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < this.size; i++) {
			String name = this.names[i];
			if (name == null) {
				text.append('[').append(this.indexes[i]).append(']');
			}
			else {
				if (i > 0) {
					text.append('.');
				}
				appendShortened(text, name);
			}
		}
		return text.toString();
	}

	/**
	 * Appends a name to a path, shortened as {@link #format()} does.
	 * @param text the path
	 * @param name the name
	 * @return the path
	 */
	static StringBuilder appendShortened(StringBuilder text, String name) {
		if (name.length() <= MAX_NAME_LENGTH) {
			return text.append(name);
		}
		// Not between the two halves of a surrogate pair.
		int end = MAX_NAME_LENGTH - 3;
		return text.append(name, 0, Character.isHighSurrogate(name.charAt(end - 1)) ? end - 1 : end).append("...");
	}

	@Override
	public String toString() {
		return format();
	}

	private void ensureRoom() {
		if (this.size == this.names.length) {
			this.names = Arrays.copyOf(this.names, Math.max(16, this.size * 2));
			this.indexes = Arrays.copyOf(this.indexes, this.names.length);
		}
	}

}
