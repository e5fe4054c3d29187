package io.securestreams.benchmarks.support;

import org.junit.jupiter.api.Test;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The harnesses' option reading refuses what it would otherwise ignore: a misspelt option left
 * its default in place, and a trailing option without a value was dropped, so a run could be
 * recorded with settings other than the command line says.
 */
class HarnessTests {

	@Test
	void knownOptionsAreReadInOrder() {
		assertThat(Harness.options(new String[] { "--rounds", "3", "--warmup", "1" }, "warmup", "rounds"))
			.containsExactly(entry("rounds", "3"), entry("warmup", "1"));
	}

	@Test
	void noArgumentsGiveNoOptions() {
		assertThat(Harness.options(new String[0], "rounds")).isEmpty();
	}

	@Test
	void aMisspeltOptionIsRefusedNamingTheKnownOnes() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> Harness.options(new String[] { "--round", "3" }, "rounds", "warmup"))
			.withMessage("unknown option --round; known options: --rounds, --warmup");
	}

	@Test
	void anOptionWithoutAValueIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> Harness.options(new String[] { "--rounds", "3", "--warmup" }, "rounds", "warmup"))
			.withMessage("option --warmup has no value");
	}

	@Test
	void aValueWithoutANameIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> Harness.options(new String[] { "3" }, "rounds"))
			.withMessage("unexpected argument 3 in [3]");
	}

}
