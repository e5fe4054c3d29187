package io.securestreams.server.h1;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Header values cross the h1 server as bytes, as libwebsockets copies them: a request header
 * read into metadata ({@code auth}) and a response header from metadata keep non-ASCII bytes.
 */
class H1ServerHeaderBytesTests {

	private static final byte[] CAFE = "café".getBytes(StandardCharsets.UTF_8);

	@RegisterExtension
	final TestResources resources = new TestResources();

	/** Answers every request with its Authorization bytes as the body and a non-ASCII content-type. */
	private static final class EchoAuthorization implements StreamHandler {

		private volatile byte[] body = new byte[0];

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			if (state == StreamState.SERVER_TXN) {
				byte[] auth = stream.metadataBytes("auth");
				this.body = (auth != null) ? auth : new byte[0];
				stream.serverAck(0);
				stream.setMetadata("mime", ("text/plain; n=" + "café").getBytes(StandardCharsets.UTF_8));
				stream.requestTxLen(this.body.length);
			}
			return StreamResult.OK;
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			slot.write(this.body);
			slot.flags(StreamFlags.SOM | StreamFlags.EOM);
			return StreamResult.OK;
		}

	}

	@Test
	void nonAsciiHeaderBytesArriveInMetadataAndGoOutAsSet() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("path", ""),
					new MetadataDeclaration("method", ""), new MetadataDeclaration("mime", "content-type:"),
					new MetadataDeclaration("auth", "")));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		SecureStream listener = streams.create("srv", new EchoAuthorization());
		// The bytes of "café" in UTF-8, one char per byte, as they cross the wire.
		String cafeOnTheWire = new String(CAFE, StandardCharsets.ISO_8859_1);
		try (Socket socket = H1Wire.connect(listener)) {
			H1Wire.send(socket, "GET /x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + cafeOnTheWire + "\r\n\r\n");
			String[] answer = H1Wire.response(socket.getInputStream(), false);
			String text = answer[0] + answer[1];
			assertThat(text).containsIgnoringCase("content-type: text/plain; n=" + cafeOnTheWire + "\r\n")
				.endsWith("\r\n\r\nBearer " + cafeOnTheWire);
		}
	}

}
