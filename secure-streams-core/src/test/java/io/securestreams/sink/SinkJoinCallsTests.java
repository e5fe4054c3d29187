package io.securestreams.sink;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sink's SINK_JOIN callback gets the source stream before the source's CREATING: what the
 * sink's handler asks of that stream there waits for CREATING, as calls from CREATING itself do.
 */
class SinkJoinCallsTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	// One event loop: the marker stream's onTx, asked for after the call on the source, runs
	// only once the loop has run whatever that call queued there.
	private final SecureStreams streams = this.resources.start(SecureStreams
		.builder(TestPolicies.helloWorldSink())
		.eventLoopThreads(1));

	private final LoopMarker marker = new LoopMarker();

	private final SecureStream markerStream = this.streams.createSmd(0, this.marker);

	@Test
	void requestTxOnTheSourceFromSinkJoinWaitsForItsCreating() {
		RecordingHandler sink = new RecordingHandler().onState((stream, state) -> {
			if (state == StreamState.SINK_JOIN) {
				stream.requestTx();
				this.marker.awaitLoop(this.markerStream);
			}
			return StreamResult.OK;
		});
		this.streams.registerSink("sink_hello_world", sink);
		RecordingHandler source = new RecordingHandler().send("hello".getBytes(StandardCharsets.UTF_8), 100);
		this.streams.create("sink_hello_world", source);
		source.await(StreamState.CONNECTED, WAIT);
		// The source's onTx, and with it the sink's onRx, comes after the source's CONNECTED.
		Awaitility.await()
			.atMost(WAIT)
			.untilAsserted(() -> assertThat(sink.received()).asString(StandardCharsets.UTF_8).isEqualTo("hello"));
		assertThat(source.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
		assertThat(sink.stateNames()).containsExactly("SINK_JOIN", "CREATING", "CONNECTING", "CONNECTED");
		this.resources.guard().assertNoViolations();
	}

	@Test
	void destroyOfTheSourceFromSinkJoinGivesItsFinalStatesAfterCreating() {
		RecordingHandler sink = new RecordingHandler().onState((stream, state) -> {
			if (state == StreamState.SINK_JOIN) {
				stream.destroy();
				this.marker.awaitLoop(this.markerStream);
			}
			return StreamResult.OK;
		});
		this.streams.registerSink("sink_hello_world", sink);
		RecordingHandler source = new RecordingHandler();
		SecureStream stream = this.streams.create("sink_hello_world", source);
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(source.stateNames()).containsExactly("CREATING", "DESTROYING");
		assertThat(this.streams.streams()).extracting((info) -> info.id()).doesNotContain(stream.id());
		this.resources.guard().assertNoViolations();
	}

	/** An SMD stream whose onTx tells that the loop got that far. */
	private static final class LoopMarker extends RecordingHandler {

		private volatile CountDownLatch reached = new CountDownLatch(1);

		void awaitLoop(SecureStream stream) {
			this.reached = new CountDownLatch(1);
			stream.requestTx();
			try {
				assertThat(this.reached.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			this.reached.countDown();
			return StreamResult.TX_DONT_SEND;
		}

	}

}
