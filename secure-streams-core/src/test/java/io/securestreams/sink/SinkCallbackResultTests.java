package io.securestreams.sink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.Policy;
import io.securestreams.testsupport.EchoSink;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TX_DONT_SEND means something only from {@code onTx}; from {@code onRx} or {@code onState} a
 * local pair's side takes it as DISCONNECT_ME, as every other stream does (docs/streams.md,
 * reference section 2). Before, a pair's side took it as OK and the pair carried on.
 */
class SinkCallbackResultTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams streams() {
		Policy policy = TestPolicies.helloWorldSink();
		return this.resources.start(SecureStreams.builder(policy).eventLoopThreads(2));
	}

	@Test
	void txDontSendFromOnRxDisconnects() {
		SecureStreams streams = streams();
		EchoSink sink = new EchoSink();
		streams.registerSink("sink_hello_world", sink);
		RecordingHandler source = new RecordingHandler() {
			@Override
			public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
				super.onRx(stream, payload, flags);
				return StreamResult.TX_DONT_SEND;
			}
		}.send("Hi".getBytes(StandardCharsets.UTF_8), 1000);
		streams.create("sink_hello_world", source).requestTx();
		source.await(StreamState.DISCONNECTED, WAIT);
		Awaitility.await().atMost(WAIT).until(() -> sink.stateNames().contains("DESTROYING"));
		assertThat(source.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
	}

	@Test
	void txDontSendFromOnStateDisconnects() {
		SecureStreams streams = streams();
		EchoSink sink = new EchoSink();
		streams.registerSink("sink_hello_world", sink);
		RecordingHandler source = new RecordingHandler()
			.onState((stream, state) -> (state == StreamState.CONNECTED) ? StreamResult.TX_DONT_SEND : StreamResult.OK);
		streams.create("sink_hello_world", source);
		source.await(StreamState.DISCONNECTED, WAIT);
		Awaitility.await().atMost(WAIT).until(() -> sink.stateNames().contains("DESTROYING"));
		assertThat(source.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
	}

}
