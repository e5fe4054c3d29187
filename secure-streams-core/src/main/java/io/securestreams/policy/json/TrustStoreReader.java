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

	private record Entry(String name, int line, int column, String path) {
	}

	/** One lws-form object while it is read; the name may follow the stack. */
	private static final class Store {

		@Nullable Boolean shortForm;

		@Nullable String name;

		int line;

		int column;

		String path = "";

		@Nullable List<Entry> stack;

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
			store.shortForm = !KEYS.contains(key);
		}
		if (store.shortForm) {
			int before = context.problems().errorCount();
			List<Entry> stack = readStack(context);
			register(context, key, line, column, cursor.path(), stack, before);
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
		List<Entry> stack = store.stack;
		if (stack == null && context.problems().errorCount() == errorsBefore) {
			context.problems().error(store.line, store.column, store.path,
					"trust store '" + store.name + "' needs a \"stack\" of certs names");
		}
		register(context, store.name, store.line, store.column, store.path, stack, errorsBefore);
	}

	private static @Nullable List<Entry> readStack(ReadContext context) {
		JsonCursor cursor = context.cursor;
		if (!cursor.isArray()) {
			cursor.unexpected("an array of certs names");
			return null;
		}
		int line = cursor.line();
		int column = cursor.column();
		String path = cursor.path();
		List<Entry> stack = new ArrayList<>();
		int[] count = new int[1];
		cursor.elements((index) -> {
			count[0]++;
			int entryLine = cursor.line();
			int entryColumn = cursor.column();
			String name = context.string("the name of a certs entry");
			if (name != null) {
				stack.add(new Entry(name, entryLine, entryColumn, cursor.path()));
			}
		});
		if (count[0] == 0) {
			context.problems().error(line, column, path, "a trust store needs at least one certificate");
		}
		return stack;
	}

	private static void register(ReadContext context, String name, int line, int column, String path,
			@Nullable List<Entry> stack, int errorsBefore) {
		boolean usable = context.define(Section.TRUST_STORES, name, line, column, path);
		if (!usable || stack == null) {
			if (usable) {
				context.references.invalid(Section.TRUST_STORES, name);
			}
			return;
		}
		List<String> names = new ArrayList<>();
		for (int i = 0; i < stack.size(); i++) {
			Entry entry = stack.get(i);
			String logical = "trust_stores." + name + ".stack[" + i + "]";
			context.locations.put(logical, entry.path(), entry.line(), entry.column());
			context.references.use(Section.CERTS, entry.name(), entry.line(), entry.column(),
					new ReferenceTracker.FixedOwner(entry.path(), logical), "");
			names.add(entry.name());
		}
		if (context.problems().errorCount() == errorsBefore && !names.isEmpty()) {
			context.fragment.trustStore(new TrustStore(name, names));
		}
		else {
			context.references.invalid(Section.TRUST_STORES, name);
		}
	}

}
