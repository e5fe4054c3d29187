package io.securestreams.server.h2;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Responses that cannot have content (RFC 9110 sections 15.3.5 and 15.4.5: a 204 or 304 "is
 * terminated by the end of the header section; it cannot contain content"; section 8.6: "A
 * server MUST NOT send a Content-Length header field in any response with a status code of ...
 * 204", nor in a 304 unless it equals the length a 200 would have had): the server sends their
 * head alone, without asking the handler for a body, with no content-length for a 204 and one
 * for a 304 only when the handler announced the length. Before, the h2 server sent the head the
 * handler's calls made, a {@code content-length} and DATA frames included, so OkHttp failed a
 * 204 whose handler announced a body ("HTTP 204 had non-zero Content-Length"), and both servers
 * claimed an empty representation for a 304. Played with OkHttp over h2 with prior knowledge,
 * and over http/1.1 on an h1 listener.
 */
class H2ServerNoContentTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final NoContentHandler handler = new NoContentHandler();

	private String listen(Protocol protocol) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), protocol, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		SecureStream listener = streams.create("srv", this.handler);
		return "http://127.0.0.1:" + ((InetSocketAddress) listener.localAddress()).getPort();
	}

	private static OkHttpClient client(Protocol protocol) {
		okhttp3.Protocol wire = (protocol == Protocol.H2) ? okhttp3.Protocol.H2_PRIOR_KNOWLEDGE
				: okhttp3.Protocol.HTTP_1_1;
		return new OkHttpClient.Builder().protocols(List.of(wire)).build();
	}

	@ParameterizedTest
	@EnumSource(names = { "H1", "H2" })
	void aNoContentAnswerCarriesNoContentLength(Protocol protocol) throws Exception {
		String base = listen(protocol);
		try (Response response = client(protocol).newCall(new Request.Builder().url(base + "/ack").build())
			.execute()) {
			assertThat(response.code()).isEqualTo(204);
			assertThat(response.header("content-length")).isNull();
			assertThat(response.body().bytes()).isEmpty();
		}
	}

	@ParameterizedTest
	@EnumSource(names = { "H1", "H2" })
	void aNoContentAnswerWhoseHandlerAnnouncedABodyIsSentWithoutIt(Protocol protocol) throws Exception {
		String base = listen(protocol);
		try (Response response = client(protocol).newCall(new Request.Builder().url(base + "/body").build())
			.execute()) {
			assertThat(response.code()).isEqualTo(204);
			assertThat(response.body().bytes()).isEmpty();
		}
	}

	@ParameterizedTest
	@EnumSource(names = { "H1", "H2" })
	void aNotModifiedAnswerWithoutBodyClaimsNoEmptyRepresentation(Protocol protocol) throws Exception {
		String base = listen(protocol);
		try (Response response = client(protocol).newCall(new Request.Builder().url(base + "/not-modified").build())
			.execute()) {
			assertThat(response.code()).isEqualTo(304);
			assertThat(response.header("content-length")).as("the length a 200 would have is unknown").isNull();
		}
	}

	/** {@code /ack}: 204 by serverAck alone; {@code /body}: 204 with a 5-byte body; {@code /not-modified}: 304. */
	private static final class NoContentHandler implements StreamHandler {

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			if (state == StreamState.SERVER_TXN) {
				String path = stream.metadata("path");
				if ("/not-modified".equals(path)) {
					stream.serverAck(304);
				}
				else {
					stream.serverAck(204);
				}
				if ("/body".equals(path)) {
					stream.requestTxLen(5);
				}
			}
			return StreamResult.OK;
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			slot.buffer().put("hello".getBytes(StandardCharsets.US_ASCII));
			slot.flags(StreamFlags.SOM | StreamFlags.EOM);
			return StreamResult.OK;
		}

	}

}
