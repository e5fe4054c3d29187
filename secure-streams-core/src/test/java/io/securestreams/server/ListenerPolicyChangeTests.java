package io.securestreams.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A policy change (overlay, replacement) while a listener of the changed server streamtype runs.
 */
class ListenerPolicyChangeTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void listenerDestroyedAfterAnOverlayMovedItsSocketRemovesItsOwnSocketOnly(@TempDir Path dir) {
		Path first = dir.resolve("first.sock");
		Path second = dir.resolve("second.sock");
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false).set(StreamTypeKey.ENDPOINT, "+" + first);
		TestPolicies.server(fragment.streamType("other"), Protocol.H1, false)
			.set(StreamTypeKey.ENDPOINT, "+" + second);
		TestPolicies.h1(fragment.streamType("cli"), "+" + second, 0, "GET", "/hello?name=unix")
			.set(StreamTypeKey.PORT, null);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		SecureStream listener = streams.create("srv", new RoutingServerHandler());
		streams.create("other", new RoutingServerHandler());
		// The overlay points 'srv' at the other listener's socket; the running listener keeps
		// the socket it bound.
		streams.applyOverlay("move", "{\"s\": [{\"srv\": {\"endpoint\": \"+" + second + "\"}}]}");
		listener.destroy();
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !first.toFile().exists());
		assertThat(second).exists();
		RecordingHandler client = new RecordingHandler();
		streams.create("cli", client).requestTx();
		client.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(10));
		assertThat(new String(client.received(), StandardCharsets.UTF_8)).isEqualTo("hello unix");
	}

	@Test
	void aListenerAndItsAcceptedStreamsEndWhenAnOverlayTurnsTheirStreamtypeIntoAClient() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.RAW, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		RecordingHandler states = new RecordingHandler();
		SecureStream listener = streams.create("srv", states);
		int port = ((java.net.InetSocketAddress) listener.localAddress()).getPort();
		try (java.net.Socket peer = new java.net.Socket("127.0.0.1", port)) {
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> listener.acceptedStreams().size() == 1);
			SecureStream accepted = listener.acceptedStreams().get(0);
			streams.applyOverlay("client", "{\"s\": [{\"srv\": {\"server\": false}}]}");
			assertThat(listener.whenDestroyed().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(5));
			assertThat(accepted.whenDestroyed().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(5));
			peer.setSoTimeout(5000);
			assertThat(peer.getInputStream().read()).isEqualTo(-1);
		}
		assertThat(streams.streams()).isEmpty();
		Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThatConnectionRefused(port));
	}

	@Test
	void aClientStreamEndsWhenAnOverlayTurnsItsStreamtypeIntoAServer() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("cli"), "127.0.0.1", this.resources.refusedPort(), "GET", "/")
			.set(StreamTypeKey.RETRY, "fast");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		RecordingHandler client = new RecordingHandler();
		SecureStream stream = streams.create("cli", client);
		streams.applyOverlay("server", "{\"s\": [{\"cli\": {\"server\": true, \"protocol\": \"raw\"}}]}");
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(5));
		assertThat(client.stateNames()).containsExactly("CREATING", "DESTROYING");
	}

	private static void assertThatConnectionRefused(int port) {
		org.assertj.core.api.Assertions.assertThatExceptionOfType(java.net.ConnectException.class)
			.isThrownBy(() -> new java.net.Socket("127.0.0.1", port).close());
	}

}
