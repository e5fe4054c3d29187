package io.securestreams.policy.json;

import java.util.Collection;

import org.jspecify.annotations.Nullable;

/**
 * Finds the known key nearest to a misspelt one, for "did you mean" hints.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class KeySuggester {

	private KeySuggester() {
	}

	/**
	 * Builds the message for an unknown key.
	 * @param what where the key was, for example {@code streamtype key}
	 * @param key the unknown key
	 * @param known the keys allowed there
	 * @return for example {@code unknown streamtype key 'tls_truststore'; did you mean tls_trust_store?}
	 */
	static String unknownKey(String what, String key, Collection<String> known) {
		String nearest = nearest(key, known);
		String message = "unknown " + what + " '" + shorten(key) + "'";
		return (nearest != null) ? message + "; did you mean " + nearest + "?" : message;
	}

	static @Nullable String nearest(String key, Collection<String> known) {
		// Allow about one edit per three characters, so short keys only match near twins.
		int best = (key.length() + 2) / 3 + 1;
		String nearest = null;
		String lower = key.toLowerCase(java.util.Locale.ROOT);
		for (String candidate : known) {
			int distance = distance(lower, candidate, best);
			if (distance < best) {
				best = distance;
				nearest = candidate;
			}
		}
		return nearest;
	}

	private static String shorten(String key) {
		return (key.length() <= 64) ? key : key.substring(0, 61) + "...";
	}

	// Levenshtein distance; gives up (returns limit) once every path exceeds the limit.
	private static int distance(String a, String b, int limit) {
		if (Math.abs(a.length() - b.length()) >= limit) {
			return limit;
		}
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			int rowMin = current[0];
			for (int j = 1; j <= b.length(); j++) {
				int cost = (a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1;
				current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
				rowMin = Math.min(rowMin, current[j]);
			}
			if (rowMin >= limit) {
				return limit;
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return Math.min(previous[b.length()], limit);
	}

}
