package io.securestreams.policy.json;

import java.util.Collection;
import java.util.Locale;
import java.util.function.ToIntBiFunction;

import org.jspecify.annotations.Nullable;

/**
 * Finds the known key nearest to a misspelt one, for "did you mean" hints; public for other
 * sources of policy keys (the Spring Boot properties) to word their hints alike.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class KeySuggester {

	private KeySuggester() {
	}

	/**
	 * Builds the message for an unknown key.
	 * @param what where the key was, for example {@code streamtype key}
	 * @param key the unknown key
	 * @param known the keys allowed there
	 * @return for example {@code unknown streamtype key 'tls_truststore'; did you mean tls_trust_store?}
	 */
	public static String unknownKey(String what, String key, Collection<String> known) {
		String nearest = nearest(key, known);
		String message = "unknown " + what + " '" + shorten(key) + "'";
		return (nearest != null) ? message + "; did you mean " + nearest + "?" : message;
	}

	static @Nullable String nearest(String key, Collection<String> known) {
		return nearest(key, known, KeySuggester::distance);
	}

	/**
	 * As {@link #nearest(String, Collection)}, with the distance function given, so that a test
	 * can count the comparisons made.
	 */
	static @Nullable String nearest(String key, Collection<String> known, ToIntBiFunction<String, String> distance) {
		String lower = key.toLowerCase(Locale.ROOT);
		if (lower.length() < 3) {
			return null;
		}
		// About one edit per three characters; a shared start of 4+ characters forgives one more.
		int allowed = Math.max(1, lower.length() / 3);
		String nearest = null;
		int bestScore = Integer.MAX_VALUE;
		int bestPrefix = 0;
		for (String candidate : known) {
			// The distance is at least the difference in length, less the one edit a shared start
			// forgives: a candidate further off is out of reach without comparing. The comparison
			// costs the product of the lengths, and an unknown key may have 50,000 characters.
			if (Math.abs(lower.length() - candidate.length()) - 1 > allowed) {
				continue;
			}
			int prefix = commonPrefix(lower, candidate);
			int score = distance.applyAsInt(lower, candidate) - ((prefix >= 4) ? 1 : 0);
			if (score <= allowed && (score < bestScore || (score == bestScore && prefix > bestPrefix))) {
				nearest = candidate;
				bestScore = score;
				bestPrefix = prefix;
			}
		}
		return nearest;
	}

	private static int commonPrefix(String a, String b) {
		int i = 0;
		while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
			i++;
		}
		return i;
	}

	private static String shorten(String key) {
		return (key.length() <= 64) ? key : key.substring(0, 61) + "...";
	}

	// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
	// neighbours each cost 1, so "retyr" is one edit from "retry".
	static int distance(String a, String b) {
		int[][] d = new int[a.length() + 1][b.length() + 1];
		for (int i = 0; i <= a.length(); i++) {
			d[i][0] = i;
		}
		for (int j = 0; j <= b.length(); j++) {
			d[0][j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			for (int j = 1; j <= b.length(); j++) {
				int cost = (a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1;
				d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
				if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
					d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
				}
			}
		}
		return d[a.length()][b.length()];
	}

}
