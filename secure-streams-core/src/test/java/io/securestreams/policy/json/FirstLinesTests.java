package io.securestreams.policy.json;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FirstLines}: repeated keys, past the linear limit, and reuse after {@link FirstLines#clear()}.
 */
class FirstLinesTests {

	@Test
	void aRepeatedKeyGivesTheLineOfItsFirstOccurrence() {
		FirstLines lines = new FirstLines();
		assertThat(lines.putIfAbsent("a", 3)).isZero();
		assertThat(lines.putIfAbsent("b", 4)).isZero();
		assertThat(lines.putIfAbsent(new String("a"), 9)).isEqualTo(3);
	}

	@Test
	void manyKeysAreStillTracked() {
		FirstLines lines = new FirstLines();
		for (int i = 0; i < 40; i++) {
			assertThat(lines.putIfAbsent("key" + i, i + 1)).isZero();
		}
		for (int i = 0; i < 40; i++) {
			assertThat(lines.putIfAbsent("key" + i, 100)).isEqualTo(i + 1);
		}
	}

	@Test
	void clearForgetsEveryKey() {
		FirstLines lines = new FirstLines();
		for (int i = 0; i < 20; i++) {
			lines.putIfAbsent("key" + i, 1);
		}
		lines.clear();
		assertThat(lines.putIfAbsent("key3", 7)).isZero();
		assertThat(lines.putIfAbsent("key3", 8)).isEqualTo(7);
		assertThat(lines.putIfAbsent("key19", 9)).isZero();
	}

}
