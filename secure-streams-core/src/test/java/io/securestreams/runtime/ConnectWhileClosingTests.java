package io.securestreams.runtime;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code connect()} asked while the stream's connection is closing (the callback that asks it
 * returns DISCONNECT_ME) is carried out once that close is handled, as the documented order says:
 * the callback's result first, then what it asked for. It was dropped, the closing connection
 * counting as one already there, and an opportunistic stream stayed idle.
 */
class ConnectWhileClosingTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aConnectFromTheCallbackThatDisconnectsMakesANewConnection() throws Exception {
		try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			peer.setSoTimeout(10_000);
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.raw(fragment.streamType("raw"), peer.getLocalPort()).set(StreamTypeKey.OPPORTUNISTIC, true);
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
			AtomicBoolean first = new AtomicBoolean(true);
			RecordingHandler handler = new RecordingHandler().onState((stream, state) -> {
				if (state == StreamState.CONNECTED && first.getAndSet(false)) {
					stream.connect();
					return StreamResult.DISCONNECT_ME;
				}
				return StreamResult.OK;
			});
			SecureStream stream = streams.create("raw", handler);
			stream.connect();
			try (Socket one = peer.accept(); Socket two = peer.accept()) {
				handler.await(StreamState.CONNECTED, 2, WAIT);
				assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED",
						"DISCONNECTED", "CONNECTING", "CONNECTED");
			}
		}
	}

}
