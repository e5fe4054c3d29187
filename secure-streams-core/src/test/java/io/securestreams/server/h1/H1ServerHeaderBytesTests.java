package io.securestreams.server.h1;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
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
		int port = ((InetSocketAddress) listener.localAddress()).getPort();
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(10_000);
			ByteArrayOutputStream request = new ByteArrayOutputStream();
			request.writeBytes("GET /x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ".getBytes(StandardCharsets.US_ASCII));
			request.writeBytes(CAFE);
			request.writeBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			socket.getOutputStream().write(request.toByteArray());
			byte[] answer = readAnswer(socket.getInputStream());
			String text = new String(answer, StandardCharsets.ISO_8859_1);
			String cafeOnTheWire = new String(CAFE, StandardCharsets.ISO_8859_1);
			assertThat(text).containsIgnoringCase("content-type: text/plain; n=" + cafeOnTheWire + "\r\n")
				.endsWith("\r\n\r\nBearer " + cafeOnTheWire);
		}
	}

	// The head, then a body of the content-length it announces.
	private static byte[] readAnswer(InputStream in) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		while (!bytes.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
			int b = in.read();
			if (b < 0) {
				throw new IOException("closed in the head: " + bytes);
			}
			bytes.write(b);
		}
		String head = bytes.toString(StandardCharsets.ISO_8859_1).toLowerCase();
		int at = head.indexOf("content-length:");
		int length = Integer.parseInt(head.substring(at + 15, head.indexOf("\r\n", at)).trim());
		bytes.writeBytes(in.readNBytes(length));
		return bytes.toByteArray();
	}

}
