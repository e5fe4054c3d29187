package io.securestreams.policy.json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.securestreams.policy.StreamTypeKey;
import org.jspecify.annotations.Nullable;

/**
 * Where the values of one document are: finds, for an entry and key or index that
 * {@link io.securestreams.policy.PolicyValidator} reports, or for a logical path another check
 * reports (such as {@code s.mintest}), the document path and line/column position (such as
 * {@code s[2].mintest.retry} at 14:13).
 * Streamtype keys, by far the most numerous, are stored compactly and their paths built only
 * when a problem needs them.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class LocationMap {

	/**
	 * A located value.
	 * @param path the document path
	 * @param line 1-based line
	 * @param column 1-based column
	 */
	record Located(String path, int line, int column) {
	}

	private final Map<String, Located> general = new HashMap<>();

	// In document order; the map by name is only needed to locate a problem, so it is built then.
	private final List<StreamTypeLocations> streamTypeList = new ArrayList<>();

	private @Nullable Map<String, StreamTypeLocations> streamTypes;

	// Trust stores by name: their stacks' entries are located by index, not by a path each.
	private final Map<String, TrustStoreLocations> trustStores = new HashMap<>();

	void put(String logicalPath, String documentPath, int line, int column) {
		this.general.putIfAbsent(logicalPath, new Located(documentPath, line, column));
	}

	/**
	 * Starts recording the keys of a streamtype. The reader calls this once per streamtype name
	 * (for its first definition); should a name come again, the first record is found.
	 * @param name the streamtype name
	 * @param path its document path, for example {@code s[2].mintest}, not yet formatted
	 * @param line line of its name
	 * @param column column of its name
	 * @return the record to add key positions to
	 */
	StreamTypeLocations streamType(String name, PathStack path, int line, int column) {
		StreamTypeLocations locations = new StreamTypeLocations(name, path, line, column);
		this.streamTypeList.add(locations);
		this.streamTypes = null;
		return locations;
	}

	/**
	 * Starts recording the entries of a trust store's stack. Should a name come again, the first
	 * record is found.
	 * @param name the trust store name
	 * @param stackPath the document path of its stack array, not yet formatted
	 * @param size how many entries will be added
	 * @return the record to add entry positions to
	 */
	TrustStoreLocations trustStore(String name, PathStack stackPath, int size) {
		TrustStoreLocations locations = new TrustStoreLocations(stackPath, size);
		this.trustStores.putIfAbsent(name, locations);
		return locations;
	}

	/**
	 * Returns the record of a streamtype.
	 * @param name its name
	 * @return the record of its first definition, or {@code null} when the document has none
	 */
	@Nullable StreamTypeLocations streamType(String name) {
		return streamTypes().get(name);
	}

	/**
	 * Returns the record of a trust store's stack.
	 * @param name its name
	 * @return the record of its first definition, or {@code null} when the document has none
	 */
	@Nullable TrustStoreLocations trustStore(String name) {
		return this.trustStores.get(name);
	}

	private Map<String, StreamTypeLocations> streamTypes() {
		Map<String, StreamTypeLocations> byName = this.streamTypes;
		if (byName == null) {
			byName = new HashMap<>();
			for (StreamTypeLocations locations : this.streamTypeList) {
				byName.putIfAbsent(locations.name, locations);
			}
			this.streamTypes = byName;
		}
		return byName;
	}

	/**
	 * Finds where a logical path is in the document. A path such as {@code s.a.port} is taken for
	 * streamtype {@code a.port} when there is one, else for streamtype {@code a}'s key
	 * {@code port}: this serves problems made elsewhere, which name whole streamtypes; the
	 * validator's own are located by entry ({@link LocationMap#streamType(String)}).
	 * @param logicalPath the path a check reported
	 * @return the location, or {@code null} when the value is not in this document
	 */
	@Nullable Located find(String logicalPath) {
		Located located = this.general.get(logicalPath);
		if (located != null) {
			return located;
		}
		if (logicalPath.startsWith(TrustStoreLocations.PREFIX)) {
			return findStackEntry(logicalPath);
		}
		if (!logicalPath.startsWith("s.")) {
			return null;
		}
		Map<String, StreamTypeLocations> byName = streamTypes();
		StreamTypeLocations whole = byName.get(logicalPath.substring(2));
		if (whole != null) {
			return new Located(whole.documentPath(), whole.line, whole.column);
		}
		// Keys never contain '.', streamtype names may: split at the last dot.
		int dot = logicalPath.lastIndexOf('.');
		StreamTypeLocations streamType = (dot > 2) ? byName.get(logicalPath.substring(2, dot)) : null;
		StreamTypeKey key = StreamTypeKey.fromJsonName(logicalPath.substring(dot + 1));
		return (streamType != null && key != null) ? streamType.find(key) : null;
	}

	// trust_stores.NAME.stack[I], the validator's path of a stack entry.
	private @Nullable Located findStackEntry(String logicalPath) {
		int open = logicalPath.lastIndexOf(TrustStoreLocations.STACK);
		if (open < TrustStoreLocations.PREFIX.length() || !logicalPath.endsWith("]")) {
			return null;
		}
		TrustStoreLocations store = this.trustStores.get(logicalPath.substring(TrustStoreLocations.PREFIX.length(),
				open));
		try {
			int index = Integer.parseInt(logicalPath, open + TrustStoreLocations.STACK.length(),
					logicalPath.length() - 1, 10);
			return (store != null) ? store.find(index) : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/**
	 * The positions of one trust store's stack entries; also the owner of their references,
	 * whose paths (which hold the store's name) are formatted only when a problem needs them.
	 */
	static final class TrustStoreLocations implements ReferenceTracker.Owner {

		static final String PREFIX = "trust_stores.";

		static final String STACK = ".stack[";

		private final PathStack stackPath;

		private @Nullable String documentPath;

		// Per entry the policy keeps: its index in the document's array, and its position (line in
		// the high, column in the low 32 bits).
		private final int[] indexes;

		private final long[] positions;

		private int size;

		TrustStoreLocations(PathStack stackPath, int size) {
			this.stackPath = stackPath;
			this.indexes = new int[size];
			this.positions = new long[size];
		}

		void add(int index, int line, int column) {
			this.indexes[this.size] = index;
			this.positions[this.size++] = ((long) line << 32) | (column & 0xFFFF_FFFFL);
		}

		@Override
		public String documentPath() {
			String path = this.documentPath;
			if (path == null) {
				path = this.stackPath.format();
				this.documentPath = path;
			}
			return path;
		}

		@Nullable Located find(int entry) {
			if (entry < 0 || entry >= this.size) {
				return null;
			}
			long position = this.positions[entry];
			return new Located(documentPath() + "[" + this.indexes[entry] + "]", (int) (position >>> 32),
					(int) position);
		}

	}

	/**
	 * The positions of one streamtype's keys; also the owner of its references, whose paths are
	 * formatted only when a problem needs them.
	 */
	static final class StreamTypeLocations implements ReferenceTracker.Owner {

		private static final int INITIAL_KEYS = 16;

		private final String name;

		private final PathStack path;

		private @Nullable String documentPath;

		private final int line;

		private final int column;

		// Only the keys a streamtype sets, in the order read (a streamtype sets about 15 of the 75
		// keys): ordinals and positions (line in the high, column in the low 32 bits) side by side.
		private byte[] keys = new byte[INITIAL_KEYS];

		private long[] positions = new long[INITIAL_KEYS];

		private int size;

		// Per position, whether its value was rejected; made for the first one (most have none).
		private boolean @Nullable [] rejected;

		StreamTypeLocations(String name, PathStack path, int line, int column) {
			this.name = name;
			this.path = path;
			this.line = line;
			this.column = column;
		}

		void put(StreamTypeKey key, int keyLine, int keyColumn) {
			if (this.size == this.keys.length) {
				this.keys = Arrays.copyOf(this.keys, this.size * 2);
				this.positions = Arrays.copyOf(this.positions, this.size * 2);
				if (this.rejected != null) {
					this.rejected = Arrays.copyOf(this.rejected, this.size * 2);
				}
			}
			this.keys[this.size] = (byte) key.ordinal();
			this.positions[this.size++] = ((long) keyLine << 32) | (keyColumn & 0xFFFF_FFFFL);
		}

		@Override
		public String documentPath() {
			String path = this.documentPath;
			if (path == null) {
				path = this.path.format();
				this.documentPath = path;
			}
			return path;
		}

		/**
		 * Says that the value last put was rejected: the streamtype keeps another value of the key
		 * (the base's, in an overlay), whose problems are not this value's.
		 */
		void rejectLast() {
			if (this.rejected == null) {
				this.rejected = new boolean[this.keys.length];
			}
			this.rejected[this.size - 1] = true;
		}

		/**
		 * Finds where a key is, its value rejected or not.
		 * @param key the key
		 * @return where it is last, or {@code null}
		 */
		@Nullable Located find(StreamTypeKey key) {
			return find(key, false);
		}

		/**
		 * Finds where the value of a key that the streamtype holds is.
		 * @param key the key
		 * @return where it is last with a value that was not rejected, or {@code null}
		 */
		@Nullable Located findAccepted(StreamTypeKey key) {
			return find(key, true);
		}

		private @Nullable Located find(StreamTypeKey key, boolean accepted) {
			boolean[] rejected = accepted ? this.rejected : null;
			// The last position wins, as when a key and its deprecated alias are both present.
			for (int i = this.size - 1; i >= 0; i--) {
				if (this.keys[i] == (byte) key.ordinal() && (rejected == null || !rejected[i])) {
					long position = this.positions[i];
					return new Located(documentPath() + "." + key.jsonName(), (int) (position >>> 32), (int) position);
				}
			}
			return null;
		}

	}

}
