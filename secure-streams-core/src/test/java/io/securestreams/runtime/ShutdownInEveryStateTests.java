package io.securestreams.runtime;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A graceful stop with client streams in each phase of their life: idle after CREATING,
 * connected, in the middle of a TLS handshake (CONNECTING), waiting for a retry after
 * UNREACHABLE, and idle after ALL_RETRIES_FAILED. Each gets its final states, DISCONNECTED only
 * when it was connected, and nothing after DESTROYING.
 */
class ShutdownInEveryStateTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void everyStreamGetsItsFinalStatesWhateverItWasDoing() throws Exception {
		try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			peer.setSoTimeout(10_000);
			int refused = this.resources.refusedPort();
			PolicyFragment fragment = TestPolicies.base();
			fragment.retry(new RetryPolicy("slow", List.of(30_000), 3, 0, 0, 0));
			TestPolicies.raw(fragment.streamType("up"), peer.getLocalPort());
			TestPolicies.raw(fragment.streamType("tls"), peer.getLocalPort())
				.set(StreamTypeKey.TLS, true)
				.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca");
			TestPolicies.raw(fragment.streamType("down"), refused).set(StreamTypeKey.RETRY, "slow");
			TestPolicies.raw(fragment.streamType("gone"), refused).set(StreamTypeKey.RETRY, "once");
			SecureStreams streams = this.resources
				.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
			RecordingHandler idle = new RecordingHandler();
			streams.create("up", idle);
			RecordingHandler connected = new RecordingHandler();
			streams.create("up", connected).connect();
			try (Socket plain = peer.accept()) {
				RecordingHandler handshaking = new RecordingHandler();
				streams.create("tls", handshaking).connect();
				// Accepted and never answered: the client's handshake waits.
				try (Socket silent = peer.accept()) {
					RecordingHandler waiting = new RecordingHandler();
					streams.create("down", waiting).connect();
					RecordingHandler failed = new RecordingHandler();
					streams.create("gone", failed).connect();
					connected.await(StreamState.CONNECTED, WAIT);
					waiting.await(StreamState.UNREACHABLE, WAIT);
					failed.await(StreamState.ALL_RETRIES_FAILED, WAIT);
					streams.close();
					assertThat(streams.streams()).isEmpty();
					assertThat(idle.stateNames()).containsExactly("CREATING", "DESTROYING");
					assertThat(connected.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED",
							"DISCONNECTED", "DESTROYING");
					assertThat(handshaking.stateNames()).containsExactly("CREATING", "CONNECTING", "DESTROYING");
					assertThat(waiting.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE",
							"DESTROYING");
					assertThat(failed.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE", "POLL",
							"CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED", "DESTROYING");
				}
			}
		}
	}

}
