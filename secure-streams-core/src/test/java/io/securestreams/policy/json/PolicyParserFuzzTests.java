package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Mutates the fixtures (truncations, swapped value types, deleted and duplicated keys, random
 * bytes, random insertions) with a fixed seed: every mutant either parses or is rejected with a
 * {@link PolicyException} whose every problem is located; nothing else is thrown and nothing
 * hangs.
 */
class PolicyParserFuzzTests {

	private static final int CASES = 10_000;

	private static final Pattern VALUE = Pattern
		.compile(":\\s*(\"[^\"]*\"|-?[0-9.eE+-]+|true|false|null|\\[\\]|\\{\\})");

	private static final Pattern MEMBER_LINE = Pattern.compile("(?m)^[ \\t]*\"[^\"\\n]*\"\\s*:[^\\n]*\\n");

	private static final String[] VALUES = { "\"x\"", "\"\"", "0", "-1", "1.5", "1e999", "99999999999999999999", "true",
			"false", "null", "[]", "{}", "[1, \"a\"]", "{\"a\": 1}", "\"\\u0000\"", "\"h1get\"", "65536" };

	private static final String[] INSERTIONS = { "{", "}", "[", "]", ",", ":", "\"", "\"x\"", "\"s\": [",
			"null", "{\"a\":", "\\", "/*", "\u00e9", "\uD83D\uDE00", "\"retry\": \"default\",", "\"port\": 0,", ",,",
			"\u0000" };

	private final PolicyParser parser = new PolicyParser();

	/** A fixture with the spans the mutations pick from, found once. */
	record Seed(String text, byte[] bytes, List<int[]> values, List<int[]> memberLines) {

		static Seed of(String text) {
			return new Seed(text, text.getBytes(StandardCharsets.UTF_8), spans(VALUE, text, 1),
					spans(MEMBER_LINE, text, 0));
		}

		private static List<int[]> spans(Pattern pattern, String text, int group) {
			List<int[]> spans = new ArrayList<>();
			Matcher matcher = pattern.matcher(text);
			while (matcher.find()) {
				spans.add(new int[] { matcher.start(group), matcher.end(group) });
			}
			return spans;
		}

	}

	@Test
	void mutantsParseOrFailWithLocatedProblems() {
		Random random = new Random(20260822L);
		List<Seed> seeds = PolicyFixtures.names()
			.stream()
			.map((name) -> Seed.of(new String(PolicyFixtures.load(name), StandardCharsets.UTF_8)))
			.toList();
		List<String> failures = new ArrayList<>();
		int parsed = 0;
		for (int i = 0; i < CASES; i++) {
			int kind = i % 6;
			byte[] mutant = mutate(seeds.get(random.nextInt(seeds.size())), kind, random);
			String label = "case " + i + " (mutation " + kind + ")";
			Object outcome = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> parseOutcome(mutant), label);
			if (outcome instanceof String failure) {
				failures.add(label + ": " + failure);
			}
			else if (outcome instanceof ParsedPolicy) {
				parsed++;
			}
		}
		assertThat(failures).isEmpty();
		// Both outcomes occur, so the mutations neither always nor never break the policies.
		assertThat(parsed).isBetween(CASES / 20, CASES - CASES / 20);
	}

	private Object parseOutcome(byte[] json) {
		try {
			return this.parser.parse("fuzz.json", json);
		}
		catch (PolicyException ex) {
			for (PolicyProblem problem : ex.problems()) {
				if (problem.line() <= 0 && problem.path().isEmpty()) {
					return "unlocated problem " + problem.format();
				}
			}
			return ex;
		}
		catch (RuntimeException | StackOverflowError ex) {
			return "threw " + ex;
		}
	}

	static byte[] mutate(Seed seed, int kind, Random random) {
		String text = seed.text();
		return switch (kind) {
			case 0 -> Arrays.copyOf(seed.bytes(), random.nextInt(seed.bytes().length + 1));
			case 1 -> utf8(replaceValues(seed, random));
			case 2, 3 -> {
				if (seed.memberLines().isEmpty()) {
					yield utf8(insert(text, random));
				}
				int[] line = seed.memberLines().get(random.nextInt(seed.memberLines().size()));
				String member = text.substring(line[0], line[1]);
				yield utf8(text.substring(0, line[0]) + ((kind == 3) ? member + member : "") + text.substring(line[1]));
			}
			case 4 -> randomBytes(seed.bytes(), random);
			default -> utf8(insert(text, random));
		};
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	// Replaces up to three values, right to left so that earlier spans stay valid.
	private static String replaceValues(Seed seed, Random random) {
		TreeSet<Integer> picked = new TreeSet<>(Comparator.reverseOrder());
		for (int n = 1 + random.nextInt(3); n > 0 && !seed.values().isEmpty(); n--) {
			picked.add(random.nextInt(seed.values().size()));
		}
		StringBuilder text = new StringBuilder(seed.text());
		for (int index : picked) {
			int[] span = seed.values().get(index);
			text.replace(span[0], span[1], VALUES[random.nextInt(VALUES.length)]);
		}
		return text.toString();
	}

	private static byte[] randomBytes(byte[] seed, Random random) {
		byte[] mutant = seed.clone();
		for (int n = 1 + random.nextInt(5); n > 0; n--) {
			mutant[random.nextInt(mutant.length)] = (byte) random.nextInt(256);
		}
		return mutant;
	}

	private static String insert(String seed, Random random) {
		int at = random.nextInt(seed.length() + 1);
		return seed.substring(0, at) + INSERTIONS[random.nextInt(INSERTIONS.length)] + seed.substring(at);
	}

}
