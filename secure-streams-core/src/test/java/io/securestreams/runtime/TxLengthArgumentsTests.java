package io.securestreams.runtime;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.Policy;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.EchoSink;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@code requestTxLen} refuses a negative length on every kind of stream, as its Javadoc says,
 * and the refusal changes nothing: the stream keeps its state and is not asked to send. A
 * listener ignored any length before, so a negative one passed without a word there only.
 */
class TxLengthArgumentsTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aClientStreamRefusesANegativeLength() {
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(TestPolicies.with("t", (b) -> TestPolicies.h1(b, "127.0.0.1", 9, "GET", "/")))
				.eventLoopThreads(1));
		assertRefusedAndUnchanged(streams, "t");
	}

	@Test
	void aProxiedStreamRefusesANegativeLengthAndOneAboveTheWiresFourBytes() {
		Policy policy = TestPolicies.with("t", (b) -> TestPolicies.h1(b, "127.0.0.1", 9, "GET", "/"));
		SecureStreams streams = this.resources.start(Mode.PROXIED, policy).streams();
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.create("t", handler);
		handler.await(StreamState.CREATING, Duration.ofSeconds(10));
		assertRefusedAndUnchanged(stream, handler);
		assertThatIllegalArgumentException().isThrownBy(() -> stream.requestTxLen(4294967296L))
			.withMessage("length must be 0 to 4294967295");
	}

	@Test
	void aListenerRefusesANegativeLength() {
		Policy policy = TestPolicies.with("srv", (b) -> TestPolicies.server(b, Protocol.H1, false));
		SecureStreams streams = this.resources.start(SecureStreams.builder(policy).eventLoopThreads(1));
		assertRefusedAndUnchanged(streams, "srv");
	}

	@Test
	void aLocalSinkStreamRefusesANegativeLength() {
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(TestPolicies.helloWorldSink()).eventLoopThreads(1));
		streams.registerSink("sink_hello_world", new EchoSink());
		assertRefusedAndUnchanged(streams, "sink_hello_world");
	}

	@Test
	void anSmdStreamRefusesANegativeLength() {
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(TestPolicies.with("t", (b) -> TestPolicies.h1(b, "127.0.0.1", 9, "GET", "/")))
				.eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.createSmd(1, handler);
		assertRefusedAndUnchanged(stream, handler);
	}

	private void assertRefusedAndUnchanged(SecureStreams streams, String streamType) {
		RecordingHandler handler = new RecordingHandler();
		assertRefusedAndUnchanged(streams.create(streamType, handler), handler);
	}

	private void assertRefusedAndUnchanged(SecureStream stream, RecordingHandler handler) {
		// A sink's source and a bus stream go on to CONNECTED on their loop: let them get there.
		AtomicInteger seen = new AtomicInteger(-1);
		Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(10))
			.until(() -> seen.getAndSet(handler.stateNames().size()) == handler.stateNames().size());
		StreamState before = stream.state();
		int statesBefore = handler.stateNames().size();
		assertThatIllegalArgumentException().isThrownBy(() -> stream.requestTxLen(-1))
			.withMessageStartingWith("length must");
		assertThat(stream.state()).isEqualTo(before);
		assertThat(handler.stateNames()).hasSize(statesBefore);
	}

}
