package io.securestreams.protocol.ws;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.securestreams.testsupport.HandRolledWsServer.accept;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A header the ws server repeats in its upgrade answer reaches the metadata mapped to it with
 * every value, joined, as on h1 and h2.
 */
class WsRepeatedResponseHeaderTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aRepeatedUpgradeAnswerHeaderReachesItsMetadataWithEveryValue() throws Exception {
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Accept: " + accept(ScriptedPeer.header(head, "sec-websocket-key")) + "\r\n"
					+ "X-Tag: one\r\nX-Tag: two\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			in.read();
		})) {
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.ws(fragment.streamType("ws"), peer.port(), "/feed")
				.set(StreamTypeKey.RETRY, null)
				.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "x-tag:")));
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
			AtomicReference<String> seen = new AtomicReference<>();
			RecordingHandler handler = new RecordingHandler().onState((stream, state) -> {
				if (state == StreamState.CONNECTED) {
					seen.set(stream.metadata("tag"));
				}
				return StreamResult.OK;
			});
			SecureStream stream = streams.create("ws", handler);
			stream.connect();
			handler.await(StreamState.CONNECTED, WAIT);
			assertThat(seen.get()).isEqualTo("one, two");
		}
	}

}
