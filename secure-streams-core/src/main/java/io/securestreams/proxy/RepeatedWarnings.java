package io.securestreams.proxy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Decides which of a repeated warning is worth a line. A proxied client whose streamtype the
 * proxy refuses asks again every second for as long as it lives (libwebsockets' client does the
 * same), so the proxy warns once per streamtype and reason a minute and logs the repeats at debug
 * level. The keys come from clients, so at most {@value #MAX_KEYS} are kept; when more arrive the
 * record starts over, which costs at worst a few extra warnings. Thread-safe.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class RepeatedWarnings {

	static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

	static final int MAX_KEYS = 256;

	private final Map<String, Long> lastWarned = new ConcurrentHashMap<>();

	private final LongSupplier nanoClock;

	RepeatedWarnings() {
		this(System::nanoTime);
	}

	RepeatedWarnings(LongSupplier nanoClock) {
		this.nanoClock = nanoClock;
	}

	/**
	 * Returns whether a warning with this key should be logged now, and if so records it.
	 * @param key what makes two warnings the same (for example the streamtype and the reason)
	 * @return {@code true} for the first warning of the key, or the first after a minute
	 */
	boolean warnNow(String key) {
		long now = this.nanoClock.getAsLong();
		if (this.lastWarned.size() >= MAX_KEYS && !this.lastWarned.containsKey(key)) {
			this.lastWarned.clear();
		}
		boolean[] warn = new boolean[1];
		this.lastWarned.compute(key, (k, last) -> {
			warn[0] = last == null || now - last >= INTERVAL_NANOS;
			return warn[0] ? now : last;
		});
		return warn[0];
	}

}
