package io.securestreams.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.internal.ContextAccess;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The listener side of a raw server streamtype as docs/servers.md describes it, with JDK socket
 * peers: binding errors that name the address and leave nothing behind, two listeners of one
 * streamtype, the accepted streams' states when the listener, the context or the handler ends
 * them, and the per-listener view under churn.
 */
class ListenerLifecycleTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	private static final List<StreamState> WHOLE_LIFE = List.of(StreamState.CREATING, StreamState.CONNECTING,
			StreamState.CONNECTED, StreamState.DISCONNECTED, StreamState.DESTROYING);

	@RegisterExtension
	final TestResources resources = new TestResources();

	/** Records the states of every stream apart, and lets a test choose how accepted streams answer. */
	static final class PerStream implements StreamHandler {

		final Map<Long, List<StreamState>> states = new ConcurrentHashMap<>();

		volatile BiFunction<SecureStream, StreamState, StreamResult> reaction = (stream, state) -> StreamResult.OK;

		volatile Function<SecureStream, StreamResult> onRx = (stream) -> StreamResult.OK;

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			this.states.computeIfAbsent(stream.id(), (id) -> new CopyOnWriteArrayList<>()).add(state);
			return (stream.role() == StreamRole.ACCEPTED) ? this.reaction.apply(stream, state) : StreamResult.OK;
		}

		@Override
		public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
			return this.onRx.apply(stream);
		}

		List<List<StreamState>> accepted(SecureStream listener) {
			List<List<StreamState>> lives = new ArrayList<>();
			this.states.forEach((id, states) -> {
				if (id != listener.id()) {
					lives.add(states);
				}
			});
			return lives;
		}

	}

	private SecureStreams start(PolicyFragment fragment) {
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
	}

	private static PolicyFragment raw() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.RAW, false);
		return fragment;
	}

	private static int port(SecureStream listener) {
		return ((InetSocketAddress) listener.localAddress()).getPort();
	}

	private Socket connect(SecureStream listener) throws IOException {
		return this.resources.closing(new Socket("127.0.0.1", port(listener)));
	}

	private static void assertEnded(Socket socket) throws IOException {
		socket.setSoTimeout((int) WAIT.toMillis());
		assertThat(socket.getInputStream().read()).isEqualTo(-1);
	}

	@Test
	void aPortInUseIsRefusedNamingAddressAndPortWithNothingLeftBehind() throws Exception {
		try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
			PolicyFragment fragment = raw();
			fragment.streamType("srv").set(StreamTypeKey.PORT, taken.getLocalPort());
			SecureStreams streams = start(fragment);
			assertThatThrownBy(() -> streams.create("srv", new PerStream())).isInstanceOf(SecureStreamsException.class)
				.hasMessageContaining("'srv'")
				.hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
				.hasMessageContaining("Address already in use");
			assertThat(ContextAccess.runtime(streams).streams()).isEmpty();
		}
	}

	@Test
	void twoListenersOfOneStreamtypeHaveTheirOwnPortsAndAcceptedStreams() throws Exception {
		SecureStreams streams = start(raw());
		PerStream handler = new PerStream();
		SecureStream one = streams.create("srv", handler);
		SecureStream two = streams.create("srv", handler);
		assertThat(port(one)).isNotEqualTo(port(two));
		connect(one);
		Socket second = connect(two);
		connect(two);
		Awaitility.await().atMost(WAIT)
			.until(() -> one.acceptedStreams().size() == 1 && two.acceptedStreams().size() == 2);
		assertThat(one.acceptedStreams()).allMatch((stream) -> stream.info().listenerId() == one.id());
		assertThat(two.acceptedStreams()).allMatch((stream) -> stream.info().listenerId() == two.id());
		two.destroy();
		assertEnded(second);
		Awaitility.await().atMost(WAIT).until(() -> two.acceptedStreams().isEmpty());
		assertThat(one.acceptedStreams()).singleElement().extracting(SecureStream::state)
			.isEqualTo(StreamState.CONNECTED);
		// A fixed port the first listener holds is refused to a second one of the same streamtype.
		PolicyFragment fixed = raw();
		fixed.streamType("srv").set(StreamTypeKey.PORT, port(one));
		SecureStreams other = start(fixed);
		assertThatThrownBy(() -> other.create("srv", new PerStream())).isInstanceOf(SecureStreamsException.class)
			.hasMessageContaining(":" + port(one));
	}

	@Test
	void destroyingTheListenerFromAnAcceptedStreamsCallbackEndsEveryAcceptedStream() throws Exception {
		SecureStreams streams = start(raw());
		PerStream handler = new PerStream();
		SecureStream listener = streams.create("srv", handler);
		Socket other = connect(listener);
		Awaitility.await().atMost(WAIT).until(() -> listener.acceptedStreams().size() == 1);
		handler.onRx = (stream) -> {
			listener.destroy();
			return StreamResult.OK;
		};
		Socket sender = connect(listener);
		sender.getOutputStream().write('x');
		assertEnded(other);
		assertEnded(sender);
		Awaitility.await().atMost(WAIT).until(() -> ContextAccess.runtime(streams).streams().isEmpty());
		assertThat(handler.accepted(listener)).hasSize(2).allSatisfy((life) -> assertThat(life).isEqualTo(WHOLE_LIFE));
		assertThat(handler.states.get(listener.id())).containsExactly(StreamState.CREATING, StreamState.DESTROYING);
		assertThatThrownBy(() -> new Socket("127.0.0.1", port(listener)).close()).isInstanceOf(IOException.class);
	}

	@ParameterizedTest(name = "{1} from {0}")
	@CsvSource({ "CREATING, DESTROY_ME, 'CREATING,DESTROYING'", "CREATING, DISCONNECT_ME, 'CREATING,DESTROYING'",
			"CONNECTING, DESTROY_ME, 'CREATING,CONNECTING,DESTROYING'",
			"CONNECTING, DISCONNECT_ME, 'CREATING,CONNECTING,DISCONNECTED,DESTROYING'",
			"CONNECTED, DESTROY_ME, 'CREATING,CONNECTING,CONNECTED,DISCONNECTED,DESTROYING'",
			"CONNECTED, DISCONNECT_ME, 'CREATING,CONNECTING,CONNECTED,DISCONNECTED,DESTROYING'" })
	void anAcceptedStreamEndsAsItsHandlerAsks(String at, StreamResult result, String expected) throws Exception {
		SecureStreams streams = start(raw());
		PerStream handler = new PerStream();
		handler.reaction = (stream, state) -> state.name().equals(at) ? result : StreamResult.OK;
		SecureStream listener = streams.create("srv", handler);
		for (int i = 0; i < 3; i++) {
			assertEnded(connect(listener));
		}
		Awaitility.await().atMost(WAIT).until(() -> handler.accepted(listener).size() == 3
				&& handler.accepted(listener).stream().allMatch((life) -> life.contains(StreamState.DESTROYING)));
		assertThat(listener.acceptedStreams()).isEmpty();
		assertThat(handler.accepted(listener)).allSatisfy((life) -> assertThat(life).map(StreamState::name)
			.containsExactly(expected.split(",")));
	}

	@Test
	void twoHundredQuickConnectionsLeaveNoAcceptedStreams() throws Exception {
		SecureStreams streams = start(raw());
		PerStream handler = new PerStream();
		handler.reaction = (stream, state) -> {
			if (state == StreamState.CONNECTED) {
				stream.requestTx();
			}
			return StreamResult.OK;
		};
		SecureStream listener = streams.create("srv", handler);
		for (int i = 0; i < 200; i++) {
			try (Socket socket = new Socket("127.0.0.1", port(listener))) {
				if (i % 2 == 0) {
					socket.getOutputStream().write(new byte[100]);
				}
				if (i % 3 == 0) {
					// A reset instead of a FIN.
					socket.setSoLinger(true, 0);
				}
			}
		}
		Awaitility.await().atMost(WAIT).until(() -> handler.accepted(listener).size() == 200
				&& handler.accepted(listener).stream().allMatch((life) -> life.contains(StreamState.DESTROYING)));
		assertThat(listener.acceptedStreams()).isEmpty();
		assertThat(ContextAccess.runtime(streams).streams()).containsExactly(
				(io.securestreams.internal.AbstractStream) listener);
		assertThat(handler.accepted(listener)).allSatisfy((life) -> assertThat(life).isEqualTo(WHOLE_LIFE));
	}

	@Test
	void closingTheContextEndsOpenConnectionsWithTheirFinalStates() throws Exception {
		SecureStreams streams = start(raw());
		PerStream handler = new PerStream();
		SecureStream listener = streams.create("srv", handler);
		List<Socket> sockets = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			sockets.add(connect(listener));
		}
		Awaitility.await().atMost(WAIT).until(() -> listener.acceptedStreams().size() == 10);
		streams.close();
		assertThat(handler.accepted(listener)).hasSize(10).allSatisfy((life) -> assertThat(life).isEqualTo(WHOLE_LIFE));
		for (Socket socket : sockets) {
			assertEnded(socket);
		}
	}

	@Test
	void aUnixSocketListenerExchangesBytesAndRemovesItsFile(@TempDir Path dir) throws Exception {
		Path file = dir.resolve("srv.sock");
		PolicyFragment fragment = raw();
		fragment.streamType("srv").set(StreamTypeKey.ENDPOINT, "+" + file);
		SecureStreams streams = start(fragment);
		SecureStream listener = streams.create("srv", new StreamHandler() {
			@Override
			public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
				stream.requestTx();
				return StreamResult.OK;
			}

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				slot.buffer().put("pong".getBytes(StandardCharsets.US_ASCII));
				return StreamResult.OK;
			}
		});
		assertThat(listener.localAddress()).hasToString(file.toString());
		try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
			channel.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
			ByteBuffer answer = ByteBuffer.allocate(4);
			while (answer.hasRemaining() && channel.read(answer) >= 0) {
				// until the whole answer is in
			}
			assertThat(new String(answer.array(), StandardCharsets.US_ASCII)).isEqualTo("pong");
		}
		listener.destroy();
		assertThat(listener.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		Awaitility.await().atMost(WAIT).until(() -> !file.toFile().exists());
	}

	@Test
	void txDontSendWaitsForTheNextRequestFromAnotherThread() throws Exception {
		SecureStreams streams = start(raw());
		AtomicInteger calls = new AtomicInteger();
		CompletableFuture<SecureStream> waiting = new CompletableFuture<>();
		SecureStream listener = streams.create("srv", new StreamHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.CONNECTED) {
					stream.requestTx();
				}
				return StreamResult.OK;
			}

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				if (calls.incrementAndGet() == 1) {
					waiting.complete(stream);
					return StreamResult.TX_DONT_SEND;
				}
				slot.buffer().put("late".getBytes(StandardCharsets.US_ASCII));
				return StreamResult.OK;
			}
		});
		Socket socket = connect(listener);
		SecureStream accepted = waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		CompletableFuture.runAsync(accepted::requestTx);
		socket.setSoTimeout((int) WAIT.toMillis());
		assertThat(new String(socket.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("late");
		assertThat(calls).hasValue(2);
	}

}
