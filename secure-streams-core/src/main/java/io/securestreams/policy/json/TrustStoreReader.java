package io.securestreams.policy.json;

import java.util.ArrayList;
import java.util.List;

import io.securestreams.policy.TrustStore;
import io.securestreams.policy.json.ReferenceTracker.Section;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code trust_stores} section in both forms: lws's
 * {@code {"name": "x", "stack": ["cert", ...]}} (in either key order) and the seed README's
 * {@code {"x": ["cert", ...]}}. The first key of an object decides its form.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class TrustStoreReader {

	/** The keys of the lws form. */
	static final List<String> KEYS = List.of("name", "stack");

	// No document path per entry: it holds the store's name, which may be 50,000 characters
	// long, in front of each of thousands of entries. Paths are formatted only for a problem.
	private record Entry(String name, int index, int line, int column) {
	}

	/** A stack as read: its entries and the document path of the array. */
	private record Stack(List<Entry> entries, PathStack path) {
	}

	/** One lws-form object while it is read; the name may follow the stack. */
	private static final class Store {

		@Nullable Boolean shortForm;

		@Nullable String name;

		int line;

		int column;

		String path = "";

		@Nullable Stack stack;

	}

	private TrustStoreReader() {
	}

	static void read(ReadContext context) {
		JsonCursor cursor = context.cursor;
		if (!cursor.isArray()) {
			cursor.unexpected("an array of trust stores");
			return;
		}
		cursor.elements((index) -> {
			if (!cursor.isObject()) {
				cursor.unexpected("a trust store object");
				return;
			}
			int line = cursor.line();
			int column = cursor.column();
			String path = cursor.path();
			int errorsBefore = context.problems().errorCount();
			Store store = new Store();
			cursor.fields((key, keyLine, keyColumn) -> member(context, store, key, keyLine, keyColumn));
			if (Boolean.FALSE.equals(store.shortForm)) {
				finishLongForm(context, store, line, column, path, errorsBefore);
			}
		});
	}

	private static void member(ReadContext context, Store store, String key, int line, int column) {
		JsonCursor cursor = context.cursor;
		if (store.shortForm == null) {
			// A near miss of "name" or "stack" whose value cannot be a stack is a misspelt key of
			// the lws form, not a store of that name: reported as such, with the key meant.
			boolean misspelt = !cursor.isArray() && KeySuggester.nearest(key, KEYS) != null;
			store.shortForm = !KEYS.contains(key) && !misspelt;
		}
		if (store.shortForm) {
			int before = context.problems().errorCount();
			String path = cursor.path();
			Stack stack = readStack(context);
			register(context, key, line, column, path, stack, before);
			return;
		}
		switch (key) {
			case "name" -> {
				store.line = cursor.line();
				store.column = cursor.column();
				store.path = cursor.path();
				store.name = context.string("a trust store name");
			}
			case "stack" -> store.stack = readStack(context);
			default -> {
				context.problems().error(line, column, cursor.path(),
						KeySuggester.unknownKey("trust store key", key, KEYS));
				cursor.skipValue();
			}
		}
	}

	private static void finishLongForm(ReadContext context, Store store, int line, int column, String path,
			int errorsBefore) {
		if (store.name == null) {
			if (context.problems().errorCount() == errorsBefore) {
				context.problems().error(line, column, path, "a trust store needs a \"name\"");
			}
			return;
		}
		Stack stack = store.stack;
		if (stack == null && context.problems().errorCount() == errorsBefore) {
			context.problems().error(store.line, store.column, store.path,
					"trust store '" + store.name + "' needs a \"stack\" of certs names");
		}
		register(context, store.name, store.line, store.column, store.path, stack, errorsBefore);
	}

	private static @Nullable Stack readStack(ReadContext context) {
		JsonCursor cursor = context.cursor;
		if (!cursor.isArray()) {
			cursor.unexpected("an array of certs names");
			return null;
		}
		int line = cursor.line();
		int column = cursor.column();
		PathStack path = cursor.pathSegments();
		List<Entry> entries = new ArrayList<>();
		int[] count = new int[1];
		cursor.elements((index) -> {
			count[0]++;
			int entryLine = cursor.line();
			int entryColumn = cursor.column();
			String name = context.string("the name of a certs entry");
			if (name != null) {
				entries.add(new Entry(name, index, entryLine, entryColumn));
			}
		});
		if (count[0] == 0) {
			context.problems().error(line, column, path.format(), "a trust store needs at least one certificate");
		}
		return new Stack(entries, path);
	}

	private static void register(ReadContext context, String name, int line, int column, String path,
			@Nullable Stack stack, int errorsBefore) {
		boolean usable = context.define(Section.TRUST_STORES, name, line, column, path);
		if (!usable || stack == null) {
			if (usable) {
				context.references.invalid(Section.TRUST_STORES, name);
			}
			return;
		}
		List<Entry> entries = stack.entries();
		boolean accepted = context.problems().errorCount() == errorsBefore && !entries.isEmpty();
		// A rejected store is not the policy's: in an overlay the base's store of that name is, and
		// the validator's problems in it must not be located at this one's entries.
		LocationMap.TrustStoreLocations locations = accepted
				? context.locations.trustStore(name, stack.path(), entries.size())
				: new LocationMap.TrustStoreLocations(stack.path(), entries.size());
		List<String> names = new ArrayList<>(entries.size());
		for (Entry entry : entries) {
			locations.add(entry.index(), entry.line(), entry.column());
			context.references.use(Section.CERTS, entry.name(), entry.line(), entry.column(), locations,
					"[" + entry.index() + "]");
			names.add(entry.name());
		}
		if (accepted) {
			context.fragment.trustStore(new TrustStore(name, names));
		}
		else {
			context.references.invalid(Section.TRUST_STORES, name);
		}
	}

}
