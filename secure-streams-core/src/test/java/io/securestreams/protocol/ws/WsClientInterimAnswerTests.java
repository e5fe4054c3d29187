package io.securestreams.protocol.ws;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.securestreams.testsupport.HandRolledWsServer.accept;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server may send interim 1xx answers before its final one (RFC 9110 section 15.2); for a ws
 * upgrade the final one is the 101. The client skips the others, without taking their headers
 * as metadata, and upgrades on the 101; they do not stop the handshake timeout either. The server
 * is a script on a plain socket: no ws server library sends an interim answer to an upgrade.
 */
class WsClientInterimAnswerTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final String EARLY_HINTS = "HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload\r\n"
			+ "X-Early: hint\r\n\r\n";

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final LogCapture logs = this.resources.closing(new LogCapture());

	private SecureStreams start(int port, ProtocolLimits limits) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.ws(fragment.streamType("ws"), port, "/")
			.set(StreamTypeKey.RETRY, null)
			.set(StreamTypeKey.OPPORTUNISTIC, true)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("early", "x-early:")));
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).limits(limits));
	}

	@ParameterizedTest
	@ValueSource(strings = { EARLY_HINTS, "HTTP/1.1 100 Continue\r\n\r\n",
			"HTTP/1.1 100 Continue\r\n\r\n" + EARLY_HINTS + EARLY_HINTS })
	void interimAnswersBeforeTheSwitchAreSkipped(String interim) throws Exception {
		ScriptedPeer peer = this.resources.closing(new ScriptedPeer((head, in, out) -> {
			String key = ScriptedPeer.header(head, "sec-websocket-key");
			out.write(interim.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			out.write(WsHostileServerTests.frame(true, 1, false, "hi".getBytes(StandardCharsets.US_ASCII)));
		}));
		AtomicReference<byte[]> early = new AtomicReference<>(new byte[0]);
		RecordingHandler handler = new RecordingHandler().onState((stream, state) -> {
			if (state == StreamState.CONNECTED) {
				early.set(stream.metadataBytes("early"));
			}
			return StreamResult.OK;
		});
		start(peer.port(), ProtocolLimits.DEFAULTS).create("ws", handler).connect();
		Awaitility.await().atMost(WAIT).until(() -> handler.received().length == 2);
		assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("hi");
		assertThat(handler.rxFlags).containsExactly(StreamFlags.SOM | StreamFlags.EOM);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
		assertThat(early.get()).as("a header of an interim answer is not metadata").isNull();
	}

	/** An interim answer is no answer: the handshake timeout still ends a wait for the 101. */
	@Test
	void anInterimAnswerAloneStillTimesOut() throws Exception {
		ScriptedPeer peer = this.resources.closing(new ScriptedPeer((head, in, out) -> {
			out.write(EARLY_HINTS.getBytes(StandardCharsets.US_ASCII));
		}));
		RecordingHandler handler = new RecordingHandler();
		start(peer.port(), ProtocolLimits.DEFAULTS.withHandshakeTimeout(Duration.ofMillis(500))).create("ws", handler)
			.connect();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
		assertThat(this.logs.contains("no ws upgrade answer")).as(this.logs.messages().toString()).isTrue();
	}

}
