package io.securestreams.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.StreamEventListener;
import io.securestreams.StreamState;
import org.jspecify.annotations.Nullable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Records every illegal state transition the runtime attempts, so a test can fail on them.
 */
public final class TransitionGuard implements StreamEventListener {

	private final List<String> violations = new CopyOnWriteArrayList<>();

	@Override
	public void illegalTransition(SecureStream stream, @Nullable StreamState previous, StreamState state) {
		this.violations.add(stream.streamType() + "#" + stream.id() + ": " + previous + " -> " + state);
	}

	/**
	 * Fails when any illegal transition was attempted.
	 */
	public void assertNoViolations() {
		assertThat(this.violations).as("illegal state transitions").isEmpty();
	}

}
