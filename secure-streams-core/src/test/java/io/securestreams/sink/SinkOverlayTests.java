package io.securestreams.sink;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.policy.Policy;
import io.securestreams.policy.json.PolicyParser;
import io.securestreams.testsupport.EchoSink;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An overlay that adds or removes {@code local_sink} moves a streamtype between the network and a
 * sink, and a live stream cannot follow it: it is destroyed, as one of a streamtype that is gone,
 * and streams created afterwards are of the new kind. Before, a source went on talking to the sink
 * of a streamtype that now went to the network, and a client stream went on connecting to the
 * network for a streamtype now served by a sink.
 */
class SinkOverlayTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final String POLICY = """
			{ "release": "01234567", "product": "myproduct", "schema-version": 1,
			  "retry": [ { "fast": { "backoff": [ 50 ], "conceal": 2, "jitterpc": 0 } } ],
			  "s": [ { "sink_hello_world": { "local_sink": true } },
			         { "ordinary": { "endpoint": "127.0.0.1", "port": 9, "protocol": "h1", "retry": "fast",
			           "http_method": "GET", "http_url": "/" } } ] }
			""";

	private static final String TO_NETWORK = """
			{"s":[{"sink_hello_world":{"local_sink":false,"endpoint":"127.0.0.1","port":9,"protocol":"h1",
			 "http_method":"GET","http_url":"/"}}]}
			""";

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams streams() {
		Policy policy = new PolicyParser().parse("<sink>", POLICY.getBytes(StandardCharsets.UTF_8)).policy();
		return this.resources.start(SecureStreams.builder(policy).eventLoopThreads(2));
	}

	@Test
	void aPairWhoseStreamtypeNoLongerHasALocalSinkIsDestroyed() {
		SecureStreams streams = streams();
		EchoSink sink = new EchoSink();
		streams.registerSink("sink_hello_world", sink);
		RecordingHandler source = new RecordingHandler().send("a".getBytes(StandardCharsets.UTF_8), 1000);
		SecureStream stream = streams.create("sink_hello_world", source);
		stream.requestTx();
		Awaitility.await().atMost(WAIT).until(() -> source.received().length > 0);
		streams.applyOverlay("to-network", TO_NETWORK);
		source.send("b".getBytes(StandardCharsets.UTF_8), 1000);
		stream.requestTx();
		Awaitility.await().atMost(WAIT).until(() -> stream.whenDestroyed().toCompletableFuture().isDone());
		Awaitility.await().atMost(WAIT).until(() -> sink.stateNames().contains("DESTROYING"));
		assertThat(new String(sink.received(), StandardCharsets.UTF_8)).isEqualTo("a");
		assertThat(source.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED",
				"DESTROYING");
		assertThat(streams.streams()).isEmpty();
		RecordingHandler later = new RecordingHandler();
		streams.create("sink_hello_world", later).requestTx();
		later.await(StreamState.UNREACHABLE, WAIT);
		assertThat(sink.joins).hasSize(1);
	}

	@Test
	void aClientStreamWhoseStreamtypeBecameALocalSinkIsDestroyed() {
		SecureStreams streams = streams();
		RecordingHandler client = new RecordingHandler();
		SecureStream stream = streams.create("ordinary", client);
		streams.applyOverlay("to-sink", "{\"s\":[{\"ordinary\":{\"local_sink\":true}}]}");
		Awaitility.await().atMost(WAIT).until(() -> stream.whenDestroyed().toCompletableFuture().isDone());
		stream.requestTx();
		assertThat(client.stateNames()).containsExactly("CREATING", "DESTROYING");
		EchoSink sink = new EchoSink();
		streams.registerSink("ordinary", sink);
		RecordingHandler source = new RecordingHandler();
		SecureStream paired = streams.create("ordinary", source);
		assertThat(paired.role()).isEqualTo(StreamRole.CLIENT);
		assertThat(sink.joins).containsExactly(paired);
	}

	@Test
	void aLivePairTakesTheTimeoutAnOverlayGivesItsStreamtype() {
		SecureStreams streams = streams();
		List<SecureStream> sinkStreams = new CopyOnWriteArrayList<>();
		RecordingHandler sink = new RecordingHandler().onState((sinkStream, state) -> {
			if (state == StreamState.CREATING) {
				sinkStreams.add(sinkStream);
			}
			return StreamResult.OK;
		});
		streams.registerSink("sink_hello_world", sink);
		RecordingHandler source = new RecordingHandler();
		SecureStream stream = streams.create("sink_hello_world", source);
		source.await(StreamState.CONNECTED, WAIT);
		Awaitility.await().atMost(WAIT).until(() -> sink.stateNames().contains("CONNECTED"));
		streams.applyOverlay("short-timeout", "{\"s\":[{\"sink_hello_world\":{\"timeout_ms\":100}}]}");
		// The timeout the policy in force gives, as a client stream of a changed streamtype takes it.
		stream.startTimeout(0);
		sinkStreams.get(0).startTimeout(0);
		source.await(StreamState.TIMEOUT, WAIT);
		Awaitility.await().atMost(WAIT).until(() -> sink.stateNames().contains("TIMEOUT"));
		// A change that keeps the streamtype a local sink leaves the pair connected.
		assertThat(source.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "TIMEOUT");
	}

}
