package io.securestreams.server.ws;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 6455 section 11.3.4: {@code Sec-WebSocket-Protocol} may appear on several lines of an
 * upgrade request, which means the same as one line listing all their values. The server picks
 * from all of them, not from the first line only.
 */
class WsServerSubprotocolLinesTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private String answerTo(String protocolLines) throws IOException {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("wssrv"), Protocol.H1, false)
			.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		SecureStream listener = streams.create("wssrv", new StateRecorder());
		int port = ((InetSocketAddress) listener.localAddress()).getPort();
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream()
				.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
						+ "Sec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==\r\nSec-WebSocket-Version: 13\r\n" + protocolLines
						+ "\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			return ScriptedPeer.readHead(socket.getInputStream());
		}
	}

	@Test
	void theSubprotocolOfferedOnASecondHeaderLineIsChosen() throws IOException {
		String head = answerTo("Sec-WebSocket-Protocol: other\r\nSec-WebSocket-Protocol: echo-protocol\r\n");
		assertThat(head).startsWith("HTTP/1.1 101");
		assertThat(ScriptedPeer.header(head, "sec-websocket-protocol")).isEqualTo("echo-protocol");
	}

	@Test
	void theClientsFirstAcceptedOfferWinsAcrossLines() throws IOException {
		String head = answerTo("Sec-WebSocket-Protocol: other, echo-protocol\r\nSec-WebSocket-Protocol: x\r\n");
		assertThat(ScriptedPeer.header(head, "sec-websocket-protocol")).isEqualTo("echo-protocol");
	}

}
