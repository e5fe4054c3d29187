package io.securestreams.policy.json;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.securestreams.policy.Policy;
import org.jspecify.annotations.Nullable;

/**
 * Remembers where named entries are defined and where they are used, to enforce
 * definition-before-reference as lws does, to tell a forward reference (defined later, which
 * lws rejects too) from a dangling one (defined nowhere, left to the validator), and to report
 * duplicate names.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ReferenceTracker {

	/** A namespace of named entries. */
	enum Section {

		RETRY("retry scheme"), CERTS("certs entry"), TRUST_STORES("trust store"), AUTH("auth scheme"),
		METRICS("metrics policy"), STREAMTYPES("streamtype");

		private final String description;

		Section(String description) {
			this.description = description;
		}

		String description() {
			return this.description;
		}

	}

	// Mutable so that a use can hold its definition: marking it invalid later is seen by the use.
	private static final class Definition {

		final String name;

		final int line;

		boolean valid = true;

		Definition(String name, int line) {
			this.name = name;
			this.line = line;
		}

	}

	/** Where an entry that holds references is; its paths are only formatted for a problem. */
	interface Owner {

		/**
		 * Returns the document path of the entry.
		 * @return for example {@code s[2].mintest}
		 */
		String documentPath();

	}

	/**
	 * An owner whose path is already known.
	 * @param documentPath the document path
	 */
	record FixedOwner(String documentPath) implements Owner {
	}

	/**
	 * A value that holds a reference: its entry, and where in it. The entry is named by its
	 * record, not by a path holding its name, which may be long and shared by thousands of values
	 * (a trust store's stack entries), or read as another entry's (streamtype {@code a}'s key
	 * {@code port} and streamtype {@code a.port}).
	 * @param owner the entry
	 * @param pathSuffix the rest of the value's path, for example {@code .retry} or {@code [3]}
	 */
	record Site(Owner owner, String pathSuffix) {
	}

	// Paths are kept in two parts and joined only for a reported use: most uses are fine. A use
	// of a name defined before it keeps that definition (one map lookup per use instead of two).
	private record Use(Section section, String name, int line, int column, Owner owner, String pathSuffix,
			@Nullable Definition definedBefore, boolean inBase) {

		boolean isDefinedBefore() {
			return this.definedBefore != null || this.inBase;
		}

		String path() {
			return this.owner.documentPath() + this.pathSuffix;
		}

		Site site() {
			return new Site(this.owner, this.pathSuffix);
		}

	}

	private final Policy base;

	private final Map<Section, Map<String, Definition>> definitions = new EnumMap<>(Section.class);

	private final List<Use> uses = new ArrayList<>();

	private boolean anyInvalid;

	ReferenceTracker(Policy base) {
		this.base = base;
		for (Section section : Section.values()) {
			this.definitions.put(section, new HashMap<>());
		}
	}

	/**
	 * Records a definition.
	 * @param section the namespace
	 * @param name the name
	 * @param line where the name is
	 * @return the line of an earlier definition of the same name in this document, or 0
	 */
	int define(Section section, String name, int line) {
		Definition earlier = this.definitions.get(section).putIfAbsent(name, new Definition(name, line));
		return (earlier != null) ? earlier.line : 0;
	}

	/**
	 * Marks a definition as rejected, so that uses of it are not reported again as dangling.
	 * @param section the namespace
	 * @param name the name
	 */
	void invalid(Section section, String name) {
		Definition definition = this.definitions.get(section).get(name);
		if (definition != null) {
			definition.valid = false;
			this.anyInvalid = true;
		}
	}

	/**
	 * Tells whether a definition of this document was rejected.
	 * @param section the namespace
	 * @param name the name
	 * @return {@code true} after {@link #invalid(Section, String)} marked it
	 */
	boolean isRejected(Section section, String name) {
		Definition definition = this.definitions.get(section).get(name);
		return definition != null && !definition.valid;
	}

	/**
	 * Tells whether any definition was rejected: uses resolved to it name an entry that the policy
	 * will not hold.
	 * @return {@code true} after {@link #invalid(Section, String)} marked a definition
	 */
	boolean hasInvalidDefinitions() {
		return this.anyInvalid;
	}

	/**
	 * Records a reference.
	 * @param section what it refers to
	 * @param name the name it uses
	 * @param line line of the value
	 * @param column column of the value
	 * @param owner the entry holding the value, for example streamtype {@code mintest}
	 * @param pathSuffix the rest of the value's document and logical paths, for example {@code .retry}
	 * @return the name as its definition spells it when it is defined earlier in this document
	 * (the same text, one instance for every use), or {@code null} when it is not: defined later,
	 * only in the base, or nowhere; the validator then has to check the use
	 */
	@Nullable String use(Section section, String name, int line, int column, Owner owner, String pathSuffix) {
		Definition before = this.definitions.get(section).get(name);
		boolean inBase = before == null && inBase(section, name);
		this.uses.add(new Use(section, name, line, column, owner, pathSuffix, before, inBase));
		return (before != null) ? before.name : null;
	}

	private boolean inBase(Section section, String name) {
		return switch (section) {
			case RETRY -> this.base.retry().containsKey(name);
			case CERTS -> this.base.certs().containsKey(name);
			case TRUST_STORES -> this.base.trustStores().containsKey(name);
			case AUTH -> this.base.auth().containsKey(name);
			case STREAMTYPES -> this.base.streamTypes().containsKey(name);
			case METRICS -> false;
		};
	}

	/**
	 * Reports forward references.
	 * @param problems where to report
	 * @return the values whose validator problems only repeat an error already reported
	 */
	Set<Site> finish(Problems problems) {
		Set<Site> reported = new HashSet<>();
		for (Use use : this.uses) {
			// Definitions are never replaced, so one found at the use is still the map's.
			Definition definition = (use.definedBefore() != null) ? use.definedBefore()
					: this.definitions.get(use.section()).get(use.name());
			if (definition == null) {
				continue;
			}
			if (!use.isDefinedBefore()) {
				problems.error(use.line(), use.column(), use.path(), use.section().description() + " '" + use.name()
						+ "' is defined later, at line " + definition.line + "; " + rule(use));
				reported.add(use.site());
			}
			if (!definition.valid) {
				reported.add(use.site());
			}
		}
		return reported;
	}

	private static String rule(Use use) {
		if (use.owner() instanceof LocationMap.TrustStoreLocations) {
			return "certs must come before the trust_stores that use them";
		}
		return "retry, certs, trust_stores and auth must come before the streamtypes that use them";
	}

}
