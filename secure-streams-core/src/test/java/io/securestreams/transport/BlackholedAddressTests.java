package io.securestreams.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first address of a name never answers the SYN (a listener whose accept queue is full drops
 * it, as a firewall would): the connect to it ends at the connect timeout and the next address is
 * tried within the same attempt, so the stream sees one {@code CONNECTING} and no
 * {@code UNREACHABLE}.
 */
class BlackholedAddressTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void anAddressThatNeverAnswersIsFollowedByTheNextAfterTheConnectTimeout() throws Exception {
		MockWebServer server = this.resources.mockWebServer();
		server.enqueue(new MockResponse.Builder().body("second address").build());
		InetSocketAddress silent = new InetSocketAddress(InetAddress.getByName("127.0.0.2"), server.getPort());
		ServerSocket full = this.resources.closing(new ServerSocket());
		full.bind(silent, 1);
		fill(silent);
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "two.test", server.getPort(), "GET", "/")
			.set(StreamTypeKey.RETRY, null);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.connectTimeout(Duration.ofMillis(500))
			.hostNameLookup((host) -> new InetAddress[] { InetAddress.getByAddress(host, new byte[] { 127, 0, 0, 2 }),
					InetAddress.getByAddress(host, new byte[] { 127, 0, 0, 1 }) }));
		RecordingHandler handler = new RecordingHandler();
		long start = System.nanoTime();
		streams.create("t", handler).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(10));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("second address");
		assertThat(handler.stateNames()).containsOnlyOnce("CONNECTING").doesNotContain("UNREACHABLE");
	}

	// Connects until one connect gets no answer: the listener's accept queue is full from then on.
	private void fill(InetSocketAddress address) throws Exception {
		List<Socket> fillers = new ArrayList<>();
		for (int i = 0; i < 16; i++) {
			Socket socket = this.resources.closing(new Socket());
			fillers.add(socket);
			try {
				socket.connect(address, 300);
			}
			catch (SocketTimeoutException ex) {
				return;
			}
		}
		throw new IllegalStateException("the accept queue of " + address + " did not fill up: " + fillers.size());
	}

}
