package io.securestreams.sink;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.nio.ByteBuffer;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.Policy;
import io.securestreams.policy.json.PolicyParser;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A length announced with {@code requestTxLen} while a message of announced length is going out
 * to a local sink is the next message's, as on every protocol (docs/streams.md, Flags): it changes
 * neither that message's length nor its count. A pair that ends takes the message going out with
 * it, as a connection does: the next pair does not owe the rest of its length.
 */
class SinkAnnouncedLengthTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final String POLICY = """
			{ "release": "1", "product": "p", "schema-version": 1,
			  "s": [ { "sink_hello_world": { "local_sink": true } } ] }
			""";

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aLengthAnnouncedWhileAMessageGoesOutIsTheNextMessages() {
		Policy policy = new PolicyParser().parse("<sink>", POLICY.getBytes(StandardCharsets.UTF_8)).policy();
		SecureStreams streams = this.resources.start(SecureStreams.builder(policy).eventLoopThreads(1));
		RecordingHandler sink = new RecordingHandler();
		streams.registerSink("sink_hello_world", sink);
		List<Long> remaining = new CopyOnWriteArrayList<>();
		RecordingHandler source = new RecordingHandler() {
			private int calls;

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				remaining.add(slot.remaining());
				this.calls++;
				if (this.calls == 1) {
					// The first 40 bytes of 100; the next message's length is announced now.
					slot.buffer().put(new byte[40]);
					slot.flags(StreamFlags.SOM);
					stream.requestTxLen(30);
				}
				else if (this.calls == 2) {
					// The rest of the first message, then ask for the second.
					slot.buffer().put(new byte[(int) Math.min(slot.capacity(), 60)]);
					slot.flags(StreamFlags.EOM);
					stream.requestTx();
				}
				else if (this.calls == 3) {
					slot.buffer().put(new byte[(int) Math.min(slot.capacity(), 30)]);
					slot.flags(StreamFlags.SOM | StreamFlags.EOM);
				}
				return StreamResult.OK;
			}
		};
		streams.create("sink_hello_world", source).requestTxLen(100);
		Awaitility.await().atMost(WAIT).until(() -> remaining.size() >= 3);
		assertThat(remaining).containsExactly(100L, 60L, 30L);
		Awaitility.await().atMost(WAIT).until(() -> sink.received().length >= 130);
		assertThat(sink.received()).hasSize(130);
	}

	@Test
	void aPairThatEndsMidMessageLeavesNoLengthOwedToTheNextPair() {
		Policy policy = new PolicyParser().parse("<sink>", POLICY.getBytes(StandardCharsets.UTF_8)).policy();
		SecureStreams streams = this.resources.start(SecureStreams.builder(policy).eventLoopThreads(1));
		AtomicBoolean disconnected = new AtomicBoolean();
		streams.registerSink("sink_hello_world", new RecordingHandler() {
			@Override
			public StreamResult onRx(SecureStream stream, ByteBuffer data, int flags) {
				super.onRx(stream, data, flags);
				return disconnected.getAndSet(true) ? StreamResult.OK : StreamResult.DISCONNECT_ME;
			}
		});
		List<Long> remaining = new CopyOnWriteArrayList<>();
		RecordingHandler source = new RecordingHandler() {
			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				remaining.add(slot.remaining());
				// 40 bytes of the 100 announced first; a whole unannounced message after the rejoin.
				slot.buffer().put(new byte[40]);
				slot.flags((remaining.size() == 1) ? StreamFlags.SOM : StreamFlags.SOM | StreamFlags.EOM);
				return StreamResult.OK;
			}
		};
		SecureStream stream = streams.create("sink_hello_world", source);
		stream.requestTxLen(100);
		source.await(StreamState.DISCONNECTED, WAIT);
		stream.requestTx();
		Awaitility.await().atMost(WAIT).until(() -> remaining.size() >= 2);
		assertThat(remaining).containsExactly(100L, -1L);
	}

}
