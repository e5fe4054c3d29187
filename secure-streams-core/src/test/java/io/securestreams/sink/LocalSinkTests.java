package io.securestreams.sink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.internal.OnwardStream;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.json.PolicyParser;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.EchoSink;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Local sinks ({@code "local_sink": true}) as libwebsockets' sink hello_world example uses them:
 * a registered sink serves the streamtype's streams in-process, both ways, with every state
 * checked against the transition table.
 */
class LocalSinkTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	// The streamtype of libwebsockets' sink example, as its policy has it.
	private static final String POLICY = """
			{ "release": "01234567", "product": "myproduct", "schema-version": 1,
			  "s": [ { "sink_hello_world": { "local_sink": true } },
			         { "ordinary": { "endpoint": "127.0.0.1", "port": 9 } } ] }
			""";

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams streams() {
		Policy policy = new PolicyParser().parse("<sink>", POLICY.getBytes(StandardCharsets.UTF_8)).policy();
		return this.resources.start(SecureStreams.builder(policy).eventLoopThreads(2));
	}

	@Test
	void sourceAndSinkTalkBothWaysWithoutTheNetwork() {
		SecureStreams streams = streams();
		EchoSink sink = new EchoSink();
		SinkRegistration registration = streams.registerSink("sink_hello_world", sink);
		RecordingHandler source = new RecordingHandler().send("Hello World".getBytes(StandardCharsets.UTF_8), 1000);
		SecureStream stream = streams.create("sink_hello_world", source);
		stream.requestTx();
		Awaitility.await().atMost(WAIT)
			.until(() -> new String(source.received(), StandardCharsets.UTF_8).equals("From Sink: Hello World"));
		assertThat(new String(sink.received(), StandardCharsets.UTF_8)).isEqualTo("Hello World");
		assertThat(sink.rxFlags).containsExactly(StreamFlags.SOM | StreamFlags.EOM);
		assertThat(source.rxFlags).containsExactly(StreamFlags.SOM | StreamFlags.EOM);
		assertThat(sink.joins).containsExactly(stream);
		assertThat(sink.joinCounts).containsExactly(0L);
		assertThat(registration.joined()).isEqualTo(1);
		assertThat(source.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
		assertThat(sink.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
		assertThat(stream.role()).isEqualTo(StreamRole.CLIENT);
		assertThat(streams.streams()).extracting((info) -> info.role()).containsExactlyInAnyOrder(StreamRole.CLIENT,
				StreamRole.ACCEPTED);
		stream.destroy();
		source.await(StreamState.DESTROYING, WAIT);
		sink.await(StreamState.DESTROYING, WAIT);
		assertThat(source.stateNames()).endsWith("CONNECTED", "DISCONNECTED", "DESTROYING");
		assertThat(sink.stateNames()).endsWith("CONNECTED", "DISCONNECTED", "DESTROYING");
		Awaitility.await().atMost(WAIT).until(() -> registration.joined() == 0);
	}

	@Test
	void aSourcePausedByItsProxyHoldsTheSinksSendsUntilResumed() throws Exception {
		SecureStreams streams = streams();
		EchoSink sink = new EchoSink();
		streams.registerSink("sink_hello_world", sink);
		RecordingHandler source = new RecordingHandler().send("one".getBytes(StandardCharsets.UTF_8), 1000);
		OnwardStream stream = (OnwardStream) streams.create("sink_hello_world", source);
		source.await(StreamState.CONNECTED, WAIT);
		stream.setRxPaused(true);
		stream.requestTx();
		Awaitility.await().atMost(WAIT).until(() -> sink.received().length == 3);
		// The sink asked to answer; one more task on the pair's loop shows that nothing came.
		stream.eventLoop().submit(() -> {
		}).get();
		assertThat(source.received()).isEmpty();
		stream.setRxPaused(false);
		Awaitility.await().atMost(WAIT)
			.until(() -> new String(source.received(), StandardCharsets.UTF_8).equals("From Sink: one"));
	}

	@Test
	void aLongMessageSpansSeveralTxCallsWithItsFlags() {
		SecureStreams streams = streams();
		RecordingHandler sink = new RecordingHandler();
		streams.registerSink("sink_hello_world", sink);
		byte[] body = new byte[100_000];
		for (int i = 0; i < body.length; i++) {
			body[i] = (byte) i;
		}
		RecordingHandler source = new RecordingHandler() {
			@Override
			public StreamResult onTx(SecureStream stream, io.securestreams.TxSlot slot) {
				StreamResult result = super.onTx(stream, slot);
				if ((slot.flags() & StreamFlags.EOM) == 0) {
					stream.requestTx();
				}
				return result;
			}
		}.send(body, 30_000);
		streams.create("sink_hello_world", source).requestTx();
		Awaitility.await().atMost(WAIT).until(() -> sink.received().length == body.length);
		assertThat(sink.received()).isEqualTo(body);
		assertThat(sink.rxFlags).first().isEqualTo(StreamFlags.SOM);
		assertThat(sink.rxFlags).last().isEqualTo(StreamFlags.EOM);
		assertThat(sink.rxFlags).hasSizeGreaterThan(3);
	}

	@Test
	void sinkThatRefusesFailsTheSourcesCreation() {
		SecureStreams streams = streams();
		EchoSink sink = new EchoSink();
		sink.refuse = true;
		streams.registerSink("sink_hello_world", sink);
		RecordingHandler source = new RecordingHandler();
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> streams.create("sink_hello_world", source))
			.withMessageContaining("refused");
		assertThat(sink.joins).hasSize(1);
		assertThat(sink.states).isEmpty();
		assertThat(source.states).isEmpty();
		assertThat(streams.streams()).isEmpty();
	}

	@Test
	void sourcesNeedARegisteredSinkAndSinksNeedALocalSinkStreamtype() {
		SecureStreams streams = streams();
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> streams.create("sink_hello_world", new RecordingHandler()))
			.withMessageContaining("none is registered");
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> streams.registerSink("ordinary", new RecordingHandler()))
			.withMessageContaining("local_sink");
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> streams.registerSink("nope", new RecordingHandler()))
			.withMessageContaining("unknown streamtype 'nope'");
		streams.registerSink("sink_hello_world", new RecordingHandler());
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> streams.registerSink("sink_hello_world", new RecordingHandler()))
			.withMessageContaining("already registered");
	}

	@Test
	void closingTheRegistrationDisconnectsAndASourceRejoinsTheNextSink() {
		SecureStreams streams = streams();
		EchoSink first = new EchoSink();
		SinkRegistration registration = streams.registerSink("sink_hello_world", first);
		RecordingHandler source = new RecordingHandler();
		SecureStream stream = streams.create("sink_hello_world", source);
		source.await(StreamState.CONNECTED, WAIT);
		registration.close();
		source.await(StreamState.DISCONNECTED, WAIT);
		first.await(StreamState.DESTROYING, WAIT);
		source.send("again".getBytes(StandardCharsets.UTF_8), 100);
		stream.requestTx();
		source.await(StreamState.UNREACHABLE, WAIT);
		EchoSink second = new EchoSink();
		streams.registerSink("sink_hello_world", second);
		stream.requestTx();
		Awaitility.await().atMost(WAIT)
			.until(() -> new String(source.received(), StandardCharsets.UTF_8).equals("From Sink: again"));
		assertThat(source.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED",
				"CONNECTING", "UNREACHABLE", "CONNECTING", "CONNECTED");
		assertThat(second.joinCounts).containsExactly(0L);
	}

	@Test
	void sinkStreamThatDisconnectsIsDestroyedAndTheSourceSeesDisconnected() {
		SecureStreams streams = streams();
		RecordingHandler sink = new RecordingHandler()
			.onState((s, state) -> (state == StreamState.CONNECTED) ? StreamResult.DISCONNECT_ME : StreamResult.OK);
		streams.registerSink("sink_hello_world", sink);
		RecordingHandler source = new RecordingHandler();
		streams.create("sink_hello_world", source);
		sink.await(StreamState.DESTROYING, WAIT);
		source.await(StreamState.DISCONNECTED, WAIT);
		// SINK_JOIN goes to the sink's handler, with the source as the stream, before the sink stream exists.
		assertThat(sink.stateNames()).containsExactly("SINK_JOIN", "CREATING", "CONNECTING", "CONNECTED",
				"DISCONNECTED", "DESTROYING");
		assertThat(source.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
		assertThat(streams.streams()).singleElement().satisfies((info) -> assertThat(info.role())
			.isEqualTo(StreamRole.CLIENT));
	}

	@Test
	void destroyMeFromTheDisconnectedOfAClosedRegistrationDestroysTheSource() {
		SecureStreams streams = streams();
		SinkRegistration registration = streams.registerSink("sink_hello_world", new EchoSink());
		RecordingHandler source = new RecordingHandler()
			.onState((s, state) -> (state == StreamState.DISCONNECTED) ? StreamResult.DESTROY_ME : StreamResult.OK);
		SecureStream stream = streams.create("sink_hello_world", source);
		source.await(StreamState.CONNECTED, WAIT);
		registration.close();
		source.await(StreamState.DESTROYING, WAIT);
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(source.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED",
				"DESTROYING");
		Awaitility.await().atMost(WAIT).until(() -> streams.streams().isEmpty());
	}

	@Test
	void destroyMeFromTheDisconnectedOfTheSourcesOwnDisconnectDestroysIt() {
		SecureStreams streams = streams();
		streams.registerSink("sink_hello_world", new EchoSink());
		RecordingHandler source = new RecordingHandler().onState((s, state) -> {
			if (state == StreamState.CONNECTED) {
				return StreamResult.DISCONNECT_ME;
			}
			return (state == StreamState.DISCONNECTED) ? StreamResult.DESTROY_ME : StreamResult.OK;
		});
		SecureStream stream = streams.create("sink_hello_world", source);
		source.await(StreamState.DESTROYING, WAIT);
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(source.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED",
				"DESTROYING");
		Awaitility.await().atMost(WAIT).until(() -> streams.streams().isEmpty());
	}

	@Test
	void closingTheRegistrationWhileSourcesJoinLeavesNoPairBehind() throws Exception {
		SecureStreams streams = streams();
		List<RecordingHandler> sources = new CopyOnWriteArrayList<>();
		for (int round = 0; round < 300; round++) {
			SinkRegistration registration = streams.registerSink("sink_hello_world", new RecordingHandler());
			CyclicBarrier start = new CyclicBarrier(2);
			Thread creator = new Thread(() -> {
				awaitQuietly(start);
				for (int i = 0; i < 4; i++) {
					RecordingHandler source = new RecordingHandler();
					try {
						streams.create("sink_hello_world", source);
						sources.add(source);
					}
					catch (SecureStreamsException ex) {
						// The registration closed first: no stream.
					}
				}
			}, "sink-source-creator");
			creator.start();
			awaitQuietly(start);
			registration.close();
			creator.join();
		}
		assertThat(sources).isNotEmpty();
		// Every registration is closed: each source ends DISCONNECTED (it was paired) or UNREACHABLE
		// (its sink went first), and no sink stream is left.
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			assertThat(sources).allSatisfy((source) -> assertThat(source.states).last()
				.isIn(StreamState.DISCONNECTED, StreamState.UNREACHABLE));
			assertThat(streams.streams()).allSatisfy((info) -> assertThat(info.role()).isEqualTo(StreamRole.CLIENT));
		});
	}

	private static void awaitQuietly(CyclicBarrier barrier) {
		try {
			barrier.await(10, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void sinksAreNotForProxiedContexts() {
		PolicyFragment fragment = TestPolicies.base();
		fragment.streamType("x").set(StreamTypeKey.LOCAL_SINK, true);
		SecureStreams proxied = this.resources.start(SecureStreams.proxiedBuilder("+@never.used.sink.test"));
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> proxied.registerSink("x", new RecordingHandler()))
			.withMessageContaining("proxied");
	}

	@Test
	void theProxyRefusesLocalSinkStreamtypesToItsClients() {
		Policy policy = new PolicyParser().parse("<sink>", POLICY.getBytes(StandardCharsets.UTF_8)).policy();
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy.ProxyLink")) {
			StreamsUnderTest proxied = this.resources.start(Mode.PROXIED, policy);
			RecordingHandler source = new RecordingHandler();
			proxied.streams().create("sink_hello_world", source);
			assertThat(logs.await("stream creation failed")).contains("local sink");
			assertThat(source.states).isEmpty();
		}
	}

}
