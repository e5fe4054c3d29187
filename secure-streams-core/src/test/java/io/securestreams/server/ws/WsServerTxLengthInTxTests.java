package io.securestreams.server.ws;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A length an accepted ws stream announces from inside {@code onTx}, while the message that call
 * writes goes out, is the next message's (docs/streams.md), as it is for a client stream. Before,
 * an accepted stream applied it at once to the message being written, and the EOM ending that
 * message took the announcement with it: the next {@code onTx} saw no length.
 */
class WsServerTxLengthInTxTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aLengthAnnouncedFromOnTxIsTheNextMessages() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("ws"), Protocol.H1, false)
			.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		List<Long> remaining = new CopyOnWriteArrayList<>();
		StreamHandler handler = new StreamHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.SERVER_UPGRADE) {
					stream.requestTx();
				}
				return StreamResult.OK;
			}

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				remaining.add(slot.remaining());
				if (remaining.size() == 1) {
					slot.write("first".getBytes(StandardCharsets.UTF_8)).flags(StreamFlags.SOM | StreamFlags.EOM);
					stream.requestTxLen(6);
				}
				else {
					slot.write("second".getBytes(StandardCharsets.UTF_8)).flags(StreamFlags.SOM | StreamFlags.EOM);
				}
				return StreamResult.OK;
			}
		};
		SecureStream listener = streams.create("ws", handler);
		List<String> received = new CopyOnWriteArrayList<>();
		int port = ((InetSocketAddress) listener.localAddress()).getPort();
		WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("echo-protocol")
			.buildAsync(URI.create("ws://127.0.0.1:" + port + "/"), new WebSocket.Listener() {
				@Override
				public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
					received.add(data.toString());
					webSocket.request(1);
					return null;
				}
			})
			.join();
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
		assertThat(received).containsExactly("first", "second");
		assertThat(remaining).containsExactly(-1L, 6L);
		ws.abort();
	}

}
