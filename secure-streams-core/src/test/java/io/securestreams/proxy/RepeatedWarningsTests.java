package io.securestreams.proxy;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which repeats of a warning the proxy logs: once per key a minute.
 */
class RepeatedWarningsTests {

	private final AtomicLong now = new AtomicLong(1_000);

	private final RepeatedWarnings warnings = new RepeatedWarnings(this.now::get);

	@Test
	void aKeyWarnsOnceAMinute() {
		assertThat(this.warnings.warnNow("a")).isTrue();
		this.now.addAndGet(RepeatedWarnings.INTERVAL_NANOS - 1);
		assertThat(this.warnings.warnNow("a")).isFalse();
		this.now.addAndGet(1);
		assertThat(this.warnings.warnNow("a")).isTrue();
		assertThat(this.warnings.warnNow("a")).isFalse();
	}

	@Test
	void keysAreIndependent() {
		assertThat(this.warnings.warnNow("a")).isTrue();
		assertThat(this.warnings.warnNow("b")).isTrue();
		assertThat(this.warnings.warnNow("a")).isFalse();
		assertThat(this.warnings.warnNow("b")).isFalse();
	}

	@Test
	void manyKeysStartTheRecordOverInsteadOfGrowing() {
		for (int i = 0; i < RepeatedWarnings.MAX_KEYS; i++) {
			assertThat(this.warnings.warnNow("key " + i)).isTrue();
		}
		assertThat(this.warnings.warnNow("key 0")).isFalse();
		// One more key than kept: the record starts over, so an old key warns again.
		assertThat(this.warnings.warnNow("one too many")).isTrue();
		assertThat(this.warnings.warnNow("key 0")).isTrue();
	}

}
