package io.securestreams.runtime;

import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * A timeout {@code shutdownGracefully} cannot take is refused before the context starts closing,
 * as the builder refuses it for {@code shutdownTimeout}. Before, a negative one silently skipped
 * the graceful part, and a null or overlong one threw once the context was already marked closed:
 * it then refused new streams and policy changes, while its streams lived on and its event loops
 * never stopped, since every later {@code close()} took the shutdown for done.
 */
class ShutdownArgumentsTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final SecureStreams streams = this.resources
		.start(SecureStreams.builder(TestPolicies.with("t", (b) -> TestPolicies.h1(b, "127.0.0.1", 9, "GET", "/")))
			.eventLoopThreads(1));

	@Test
	void aNullTimeoutIsRefusedAndTheContextStaysOpen() {
		assertThatNullPointerException().isThrownBy(() -> this.streams.shutdownGracefully(null))
			.withMessage("timeout");
		assertStillOpenAndClosable();
	}

	@Test
	void aNegativeTimeoutIsRefusedAndTheContextStaysOpen() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.streams.shutdownGracefully(Duration.ofSeconds(-1)))
			.withMessage("timeout must not be negative, got PT-1S");
		assertStillOpenAndClosable();
	}

	@Test
	void aTimeoutTooLongForNanosecondsStillShutsDown() {
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.create("t", handler);
		this.streams.shutdownGracefully(Duration.ofSeconds(Long.MAX_VALUE));
		assertThat(handler.stateNames()).containsExactly("CREATING", "DESTROYING");
		assertThat(stream.whenDestroyed().toCompletableFuture()).isCompleted();
	}

	private void assertStillOpenAndClosable() {
		assertThat(this.streams.isClosed()).isFalse();
		RecordingHandler handler = new RecordingHandler();
		this.streams.create("t", handler);
		this.streams.close();
		assertThat(handler.states).containsExactly(StreamState.CREATING, StreamState.DESTROYING);
	}

}
