package io.securestreams.runtime;

import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * {@code changeHandler(null)} is refused where the mistake is made. Before, it was taken, and every
 * later callback failed on the missing handler: each was logged as a handler that threw and taken
 * as DISCONNECT_ME, so the stream dropped every connection it made, and the application heard of
 * nothing, not even DESTROYING. {@code addListener(null)} is refused too, as the builder refuses it.
 */
class HandleArgumentsTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aNullHandlerIsRefusedAndTheCallbacksStillReachTheOldOne() {
		SecureStreams streams = this.resources.start(SecureStreams
			.builder(TestPolicies.with("t", (b) -> TestPolicies.h1(b, "127.0.0.1", 9, "GET", "/")
				.set(StreamTypeKey.TIMEOUT_MS, 50L)))
			.eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.create("t", handler);
		assertThatNullPointerException().isThrownBy(() -> stream.changeHandler(null)).withMessage("handler");
		stream.startTimeout(0);
		handler.await(StreamState.TIMEOUT, Duration.ofSeconds(10));
		assertThat(stream.handler()).isSameAs(handler);
	}

	@Test
	void aNullListenerIsRefusedAsTheBuilderRefusesIt() {
		SecureStreams streams = this.resources.start(SecureStreams
			.builder(TestPolicies.with("t", (b) -> TestPolicies.h1(b, "127.0.0.1", 9, "GET", "/")))
			.eventLoopThreads(1));
		assertThatNullPointerException().isThrownBy(() -> streams.addListener(null)).withMessage("listener");
	}

}
