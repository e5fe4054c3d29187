package io.securestreams.policy.json;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SeenNames}: a name is new once, below and past the linear limit.
 */
class SeenNamesTests {

	@Test
	void aNameIsNewOnlyTheFirstTime() {
		SeenNames seen = new SeenNames();
		assertThat(seen.add("region")).isTrue();
		assertThat(seen.add("xid")).isTrue();
		assertThat(seen.add(new String("region"))).isFalse();
	}

	@Test
	void manyNamesAreStillTracked() {
		SeenNames seen = new SeenNames();
		for (int i = 0; i < 50; i++) {
			assertThat(seen.add("name" + i)).isTrue();
		}
		for (int i = 0; i < 50; i++) {
			assertThat(seen.add("name" + i)).isFalse();
		}
	}

}
