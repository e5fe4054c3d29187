package io.securestreams.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server frames each response body itself (docs/servers.md: a length from
 * {@code requestTxLen} or a single EOM write, chunked otherwise, close-delimited for an HTTP/1.0
 * client), so a {@code content-length} or {@code transfer-encoding} the handler put in its
 * metadata (for example headers copied from an upstream response) must not reach the wire
 * beside that framing: both at once, or a length the body does not have, is a response the
 * client misreads.
 */
class FramingMetadataTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	/** Sets a stale length and a transfer coding, then writes "hello" once or twice ({@code /twice}). */
	private static final class CopiedHeadersHandler implements StreamHandler {

		private int writes;

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			if (state == StreamState.SERVER_TXN) {
				this.writes = 0;
				stream.serverAck(0);
				stream.setMetadata("len", "100");
				stream.setMetadata("te", "chunked");
				stream.requestTx();
			}
			return StreamResult.OK;
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			this.writes++;
			boolean last = this.writes == 2 || !"/twice".equals(stream.metadata("path"));
			slot.write("hello".getBytes(StandardCharsets.US_ASCII));
			slot.flags(((this.writes == 1) ? StreamFlags.SOM : 0) | (last ? StreamFlags.EOM : 0));
			return StreamResult.OK;
		}

	}

	private SecureStream listen(Protocol protocol) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), protocol, false)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("path", ""),
					new MetadataDeclaration("method", ""), new MetadataDeclaration("len", "content-length:"),
					new MetadataDeclaration("te", "transfer-encoding:")));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		return streams.create("srv", new CopiedHeadersHandler());
	}

	private static int port(SecureStream listener) {
		return ((InetSocketAddress) listener.localAddress()).getPort();
	}

	private static String exchange(SecureStream listener, String request) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", port(listener))) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
		}
	}

	@Test
	void http11ResponseOfKnownLengthCarriesOnlyItsOwnContentLength() throws Exception {
		String response = exchange(listen(Protocol.H1), "GET /once HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
		assertThat(response.toLowerCase()).startsWith("http/1.1 200")
			.contains("\r\ncontent-length: 5\r\n")
			.doesNotContain("transfer-encoding")
			.endsWith("\r\n\r\nhello");
	}

	@Test
	void http10CloseDelimitedResponseCarriesNoFramingHeader() throws Exception {
		String response = exchange(listen(Protocol.H1), "GET /twice HTTP/1.0\r\n\r\n");
		assertThat(response.toLowerCase()).startsWith("http/1.0 200")
			.doesNotContain("content-length")
			.doesNotContain("transfer-encoding")
			.endsWith("\r\n\r\nhellohello");
	}

	@Test
	void h2ResponseOfUnknownLengthCarriesNoContentLength() throws Exception {
		SecureStream listener = listen(Protocol.H2);
		OkHttpClient client = new OkHttpClient.Builder()
			.protocols(List.of(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE))
			.build();
		try (Response response = client
			.newCall(new Request.Builder().url("http://127.0.0.1:" + port(listener) + "/twice").build())
			.execute()) {
			assertThat(response.protocol()).isEqualTo(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE);
			assertThat(response.code()).isEqualTo(200);
			assertThat(response.header("content-length")).isNull();
			assertThat(response.body().string()).isEqualTo("hellohello");
		}
		finally {
			client.dispatcher().executorService().shutdown();
			client.connectionPool().evictAll();
		}
	}

}
