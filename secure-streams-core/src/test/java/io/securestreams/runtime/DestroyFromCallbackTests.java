package io.securestreams.runtime;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code destroy()} called from a callback: the stream is destroyed once that callback has
 * returned, as with DESTROY_ME, so nothing reaches the handler between the two, and nothing the
 * handler asked for after calling it (a {@code requestTx()}) is carried out: the documented order
 * of the actions is destroy first.
 */
class DestroyFromCallbackTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final List<String> afterDestroy = new CopyOnWriteArrayList<>();

	private volatile boolean destroyCalled;

	private RecordingHandler destroyingOnConnected(boolean requestTxAfter) {
		return new RecordingHandler() {
			private boolean wrote;

			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (DestroyFromCallbackTests.this.destroyCalled) {
					DestroyFromCallbackTests.this.afterDestroy.add(state.name());
				}
				StreamResult result = super.onState(stream, state, ack);
				if (state == StreamState.CONNECTED) {
					stream.destroy();
					DestroyFromCallbackTests.this.destroyCalled = true;
					if (requestTxAfter) {
						stream.requestTx();
					}
				}
				return result;
			}

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				if (!DestroyFromCallbackTests.this.destroyCalled) {
					return StreamResult.TX_DONT_SEND;
				}
				// Once only: a proxied raw stream asks again after a write without EOM.
				if (DestroyFromCallbackTests.this.afterDestroy.add("onTx") && !this.wrote) {
					this.wrote = true;
					slot.write("late".getBytes(StandardCharsets.US_ASCII)).flags(StreamFlags.SOM | StreamFlags.EOM);
					return StreamResult.OK;
				}
				return StreamResult.TX_DONT_SEND;
			}
		};
	}

	private void run(Mode mode, boolean requestTxFirst, boolean requestTxAfter) throws Exception {
		try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			peer.setSoTimeout(10_000);
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.raw(fragment.streamType("raw"), peer.getLocalPort());
			StreamsUnderTest scenario = this.resources.start(mode, fragment.build());
			RecordingHandler handler = destroyingOnConnected(requestTxAfter);
			SecureStream stream = scenario.streams().create("raw", handler);
			if (requestTxFirst) {
				stream.requestTx();
			}
			else {
				stream.connect();
			}
			try (Socket socket = peer.accept()) {
				assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
				socket.setSoTimeout(5000);
				assertThat(socket.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEmpty();
			}
			assertThat(this.afterDestroy).containsExactly("DISCONNECTED", "DESTROYING");
		}
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aRequestMadeBeforeIsNotServedOnceDestroyWasCalled(Mode mode) throws Exception {
		run(mode, true, false);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aRequestMadeAfterDestroyInTheSameCallbackIsNotServed(Mode mode) throws Exception {
		run(mode, false, true);
	}


	@Test
	void noAllRetriesFailedFollowsADestroyFromTheLastUnreachable() {
		PolicyFragment fragment = TestPolicies.base();
		fragment.retry(new RetryPolicy("never", List.of(50), 0, 0, 0, 0));
		TestPolicies.raw(fragment.streamType("raw"), this.resources.refusedPort()).set(StreamTypeKey.RETRY, "never");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler().onState((stream, state) -> {
			if (state == StreamState.UNREACHABLE) {
				stream.destroy();
			}
			return StreamResult.OK;
		});
		SecureStream stream = streams.create("raw", handler);
		stream.requestTx();
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"DESTROYING");
	}

	@Test
	void noAttemptFollowsADestroyFromPoll() throws Exception {
		try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.raw(fragment.streamType("raw"), peer.getLocalPort());
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
			RecordingHandler handler = new RecordingHandler().onState((stream, state) -> {
				if (state == StreamState.POLL) {
					stream.destroy();
				}
				return StreamResult.OK;
			});
			SecureStream stream = streams.create("raw", handler);
			stream.requestTx();
			assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "DESTROYING");
			peer.setSoTimeout(300);
			assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(peer::accept);
		}
	}

}
