package io.securestreams.testsupport;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes Awaitility check a condition at once and then every 10 ms, instead of its defaults of
 * a first check after 100 ms and then every 100 ms. Most waits in this suite are for a
 * callback a few milliseconds away, so the defaults spent about 100 ms on each of thousands of
 * waits. A wait that sets its own delay or interval keeps it. A condition that throws counts as
 * not met yet (the exception is the timeout's cause if it never is): checked at once, a condition
 * may look at what the awaited event creates (a proxy's first link, say) before it exists.
 * Registered for every test through JUnit's extension auto-detection.
 */
public final class AwaitilityDefaultsExtension implements BeforeAllCallback {

	static final Duration POLL_INTERVAL = Duration.ofMillis(10);

	@Override
	public void beforeAll(ExtensionContext context) {
		Awaitility.setDefaultPollDelay(Duration.ZERO);
		Awaitility.setDefaultPollInterval(POLL_INTERVAL);
		Awaitility.ignoreExceptionsByDefault();
	}

}
