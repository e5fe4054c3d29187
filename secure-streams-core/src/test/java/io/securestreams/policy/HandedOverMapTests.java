package io.securestreams.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link HandedOverMap}: a policy wraps the first handed-over map it gets and copies anything
 * else, so later changes to a caller's map never show through.
 */
class HandedOverMapTests {

	@Test
	void aHandedOverMapIsWrappedOnceAndThenCopied() {
		HandedOverMap<Integer> map = new HandedOverMap<>(2);
		map.put("b", 2);
		map.put("a", 1);
		Map<String, Integer> first = HandedOverMap.keep(map);
		Map<String, Integer> second = HandedOverMap.keep(map);
		map.put("c", 3);
		assertThat(first).containsOnlyKeys("b", "a", "c");
		assertThat(second.keySet()).containsExactly("b", "a");
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> first.put("d", 4));
	}

	@Test
	void otherMapsAreCopiedInOrder() {
		Map<String, Integer> given = new LinkedHashMap<>();
		given.put("z", 1);
		given.put("y", 2);
		Map<String, Integer> kept = HandedOverMap.keep(given);
		given.put("x", 3);
		assertThat(kept.keySet()).containsExactly("z", "y");
	}

	@Test
	void aMergedPolicyKeepsItsOrderAndIsUnmodifiable() {
		Policy policy = new PolicyFragment().retry(new RetryPolicy("r2", List.of(1000), 1, 0, 0, 0))
			.retry(new RetryPolicy("r1", List.of(1000), 1, 0, 0, 0))
			.build();
		assertThat(policy.retry().keySet()).containsExactly("r2", "r1");
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> policy.retry().clear());
		assertThat(policy).isEqualTo(policy.toFragment().build());
	}

}
