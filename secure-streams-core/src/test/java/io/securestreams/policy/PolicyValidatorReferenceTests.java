package io.securestreams.policy;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PolicyValidator#validate(Policy)} reads every reference key of a streamtype: a key set
 * alone to a name defined nowhere gives one problem at that key's path. A reader that resolved
 * some streamtypes' references itself can leave those out, and only those.
 */
class PolicyValidatorReferenceTests {

	static List<StreamTypeKey> referenceKeys() {
		return Arrays.stream(StreamTypeKey.values()).filter((key) -> key.reference() != null).toList();
	}

	@ParameterizedTest
	@MethodSource("referenceKeys")
	void aDanglingReferenceIsReportedAtItsKey(StreamTypeKey key) {
		PolicyFragment fragment = new PolicyFragment();
		fragment.streamType("st").set(key, "missing");
		List<PolicyProblem> problems = PolicyValidator.validate(fragment.build());
		assertThat(problems).singleElement().satisfies((problem) -> {
			assertThat(problem.path()).isEqualTo("s.st." + key.jsonName());
			assertThat(problem.message()).contains("'missing'");
		});
	}

	@Test
	void streamTypesTheReaderResolvedAreLeftOutButEverythingElseIsChecked() {
		PolicyFragment fragment = new PolicyFragment();
		fragment.streamType("resolved").set(StreamTypeKey.RETRY, "missing");
		fragment.streamType("unresolved").set(StreamTypeKey.USE_AUTH, "missing");
		fragment.trustStore(new TrustStore("store", List.of("nocert")));
		List<PolicyProblem> problems = PolicyValidator.validate(fragment.build(),
				(streamType) -> streamType.name().equals("unresolved"));
		assertThat(problems).extracting(PolicyProblem::path)
			.containsExactly("trust_stores.store.stack[0]", "s.unresolved.use_auth");
	}

}
