package io.securestreams.server;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.securestreams.AbstractUnixSocketAddress;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The addresses streams on Unix domain sockets show their application are JDK types or
 * {@link AbstractUnixSocketAddress}, never the transport's own type, whose text for an abstract
 * name started with a NUL byte (and reached the actuator's stream list that way).
 */
class UnixSocketAddressTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void anAbstractNameIsShownWithItsAt() {
		String name = "ss-address-" + UUID.randomUUID();
		Ends ends = connect("+@" + name);
		AbstractUnixSocketAddress expected = AbstractUnixSocketAddress.of(name);
		assertThat(ends.listener.localAddress()).isEqualTo(expected).hasToString("@" + name);
		assertThat(ends.client.peerAddress()).isEqualTo(expected);
		assertThat(ends.client.info().peer()).isEqualTo("@" + name);
		assertPeerOfAcceptedIsNoTransportType(ends.listener);
	}

	@Test
	void aSocketFileIsShownAsItsPath(@TempDir Path dir) {
		Path file = dir.resolve("srv.sock");
		Ends ends = connect("+" + file);
		UnixDomainSocketAddress expected = UnixDomainSocketAddress.of(file);
		assertThat(ends.listener.localAddress()).isEqualTo(expected).hasToString(file.toString());
		assertThat(ends.client.peerAddress()).isEqualTo(expected);
		assertThat(ends.client.info().peer()).isEqualTo(file.toString());
		assertPeerOfAcceptedIsNoTransportType(ends.listener);
	}

	private static void assertPeerOfAcceptedIsNoTransportType(SecureStream listener) {
		Awaitility.await().atMost(WAIT).until(() -> listener.acceptedStreams().size() == 1);
		SocketAddress peer = listener.acceptedStreams().get(0).peerAddress();
		// A client socket that was never bound has no name: an empty path.
		assertThat(peer).isEqualTo(UnixDomainSocketAddress.of(""));
	}

	private Ends connect(String endpoint) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.RAW, false).set(StreamTypeKey.ENDPOINT, endpoint);
		TestPolicies.raw(fragment.streamType("cli"), 0).set(StreamTypeKey.ENDPOINT, endpoint);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		SecureStream listener = streams.create("srv", new StreamHandler() {
		});
		CompletableFuture<Void> connected = new CompletableFuture<>();
		SecureStream client = streams.create("cli", new StreamHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.CONNECTED) {
					connected.complete(null);
				}
				return StreamResult.OK;
			}
		});
		client.connect();
		assertThat(connected).succeedsWithin(WAIT);
		return new Ends(listener, client);
	}

	private record Ends(SecureStream listener, SecureStream client) {
	}

}
