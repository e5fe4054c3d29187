package io.securestreams.policy.json;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trust store is {@code {"name": "t", "stack": [...]}} or {@code {"t": [...]}}, told apart by the
 * first key. A misspelt {@code name} made the object the second form, so the typo was reported as
 * a store whose value is not an array and {@code stack} as a store of that name, with no word of
 * the typo. A first key whose value cannot be a stack is a key of the first form.
 */
class TrustStoreKeyTypoTests {

	@Test
	void misspeltNameIsReportedAsAnUnknownKeyWithASuggestion() {
		assertThat(ParsedProblems.of("{\"trust_stores\": [{\"nam\": \"t\", \"stack\": [\"c\"]}]}"))
			.containsExactly("t.json:1:20: trust_stores[0].nam: unknown trust store key 'nam'; did you mean name?");
	}

	@Test
	void theShortFormStillTakesAnyName() {
		assertThat(ParsedProblems.of("{\"trust_stores\": [{\"nam\": [\"c\"]}]}"))
			.containsExactly("t.json:1:28: trust_stores[0].nam[0]: no entry named 'c' in certs");
	}

}
