package io.securestreams.protocol.ws;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.securestreams.testsupport.HandRolledWsServer.accept;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request target and Host of a ws upgrade are the expanded {@code http_url} and the endpoint
 * as they are, as on h1 and in libwebsockets: what {@link java.net.URI} refuses or cannot read (a
 * JSON query argument, a host name with an underscore) used to fail every attempt.
 */
class WsClientRequestTargetTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final LogCapture logs = this.resources.closing(new LogCapture());

	private static ScriptedPeer upgradingPeer() throws IOException {
		return new ScriptedPeer((head, in, out) -> {
			out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Accept: " + accept(ScriptedPeer.header(head, "sec-websocket-key")) + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			in.read();
		});
	}

	private SecureStream stream(int port, String url, RecordingHandler handler) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.ws(fragment.streamType("ws"), port, url)
			.set(StreamTypeKey.RETRY, null)
			.set(StreamTypeKey.OPPORTUNISTIC, true)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("q", "")));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		return streams.create("ws", handler);
	}

	@Test
	void aQueryWithCharactersAUriRefusesGoesOutAsWritten() throws Exception {
		try (ScriptedPeer peer = upgradingPeer()) {
			RecordingHandler handler = new RecordingHandler();
			SecureStream stream = stream(peer.port(), "/feed?f=${q}", handler);
			stream.setMetadata("q", "{\"a\":[1,2]}|^`");
			stream.connect();
			handler.await(StreamState.CONNECTED, WAIT);
			assertThat(peer.requests()).singleElement()
				.satisfies((head) -> assertThat(head).startsWith("GET /feed?f={\"a\":[1,2]}|^` HTTP/1.1\r\n"));
		}
	}

	@Test
	void aTargetWithASpaceFailsTheAttemptBeforeAnythingIsSent() throws Exception {
		try (ScriptedPeer peer = upgradingPeer()) {
			RecordingHandler handler = new RecordingHandler();
			SecureStream stream = stream(peer.port(), "/feed?f=${q}", handler);
			stream.setMetadata("q", "a b");
			stream.connect();
			handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
			assertThat(peer.requests()).isEmpty();
			assertThat(this.logs.contains("connection attempt failed")).as(this.logs.messages().toString()).isTrue();
		}
	}


	/**
	 * streams.md: an endpoint host with an underscore (a container's service name) works. Netty's
	 * handshaker took the Host header from a URI, which has no host for such a name, and refused
	 * to send the upgrade request at all.
	 */
	@Test
	void anEndpointNameWithAnUnderscoreIsSentAsTheHost() throws Exception {
		try (ScriptedPeer peer = upgradingPeer()) {
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.ws(fragment.streamType("ws"), peer.port(), "/")
				.set(StreamTypeKey.RETRY, null)
				.set(StreamTypeKey.OPPORTUNISTIC, true)
				.set(StreamTypeKey.ENDPOINT, "ws_server");
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
				.eventLoopThreads(1)
				.hostNameLookup((host) -> new InetAddress[] { InetAddress.getByName("127.0.0.1") }));
			RecordingHandler handler = new RecordingHandler();
			streams.create("ws", handler).connect();
			handler.await(StreamState.CONNECTED, WAIT);
			assertThat(peer.requests()).singleElement()
				.satisfies((head) -> {
					assertThat(ScriptedPeer.header(head, "host")).isEqualTo("ws_server:" + peer.port());
					assertThat(ScriptedPeer.header(head, "origin")).isEqualTo("http://ws_server:" + peer.port());
				});
		}
	}

}
