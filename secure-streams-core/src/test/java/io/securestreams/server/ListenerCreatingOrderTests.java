package io.securestreams.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.internal.ContextAccess;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A listener binds its socket before it reports CREATING: a connection that arrived in between
 * was accepted and served at once, so the handler saw an accepted stream (CREATING, CONNECTING,
 * CONNECTED) before its listener's CREATING, and a handler that refused the listener with
 * DESTROY_ME from CREATING had connections served all the same. Connections are now accepted
 * only once the listener's CREATING returned OK, as in libwebsockets, whose service loop accepts
 * nothing while {@code lws_ss_create} runs.
 */
class ListenerCreatingOrderTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@ParameterizedTest
	@EnumSource(value = StreamResult.class, names = { "OK", "DESTROY_ME" })
	void noConnectionIsServedBeforeTheListenersCreatingReturns(StreamResult answer) throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.RAW, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		List<String> events = new CopyOnWriteArrayList<>();
		Socket[] early = new Socket[1];
		StreamHandler handler = new StreamHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (stream.role() == StreamRole.ACCEPTED) {
					events.add("accepted " + state);
					return StreamResult.OK;
				}
				events.add("listener " + state);
				if (state == StreamState.CREATING) {
					early[0] = connect(stream.localAddress());
					try {
						// Bounded: on a correct listener nothing comes while this callback runs.
						Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> events.size() > 1);
					}
					catch (ConditionTimeoutException expected) {
						// nothing was served meanwhile
					}
					events.add("listener returned");
					return answer;
				}
				return StreamResult.OK;
			}
		};
		if (answer == StreamResult.DESTROY_ME) {
			assertThatThrownBy(() -> streams.create("srv", handler)).isInstanceOf(SecureStreamsException.class);
			assertThat(events).containsExactly("listener CREATING", "listener returned", "listener DESTROYING");
			this.resources.closing(early[0]).setSoTimeout(5000);
			// Refused, never served: the connection ends without the handler hearing of it.
			assertThat(readEnd(early[0].getInputStream())).isTrue();
			assertThat(ContextAccess.runtime(streams).streams()).isEmpty();
		}
		else {
			SecureStream listener = streams.create("srv", handler);
			this.resources.closing(early[0]);
			Awaitility.await().atMost(WAIT).until(() -> events.contains("accepted CONNECTED"));
			assertThat(events).containsExactly("listener CREATING", "listener returned", "accepted CREATING",
					"accepted CONNECTING", "accepted CONNECTED");
			assertThat(listener.acceptedStreams()).hasSize(1);
		}
	}

	private static Socket connect(SocketAddress address) {
		try {
			Socket socket = new Socket();
			socket.connect(address);
			return socket;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static boolean readEnd(InputStream in) {
		try {
			return in.read() == -1;
		}
		catch (IOException reset) {
			return true;
		}
	}

}
