package io.securestreams.server;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code serverAck} sets the status of the response (docs/servers.md, "Answering http
 * requests"), which is final: a 1xx status is only an interim answer, after which a client keeps
 * waiting for the response while the server took the transaction as answered. It is refused with
 * the reason, and the status set before stays.
 */
class ServerAckTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void anInformationalStatusIsRefusedAndTheResponseKeepsItsStatus() throws Exception {
		List<String> refusals = new CopyOnWriteArrayList<>();
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		SecureStream listener = streams.create("srv", new StreamHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.SERVER_TXN) {
					stream.serverAck(202);
					for (int status : new int[] { 100, 101, 103, 199 }) {
						try {
							stream.serverAck(status);
						}
						catch (IllegalArgumentException ex) {
							refusals.add(ex.getMessage());
						}
					}
					stream.requestTxLen(5);
				}
				return StreamResult.OK;
			}

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				slot.write("hello".getBytes(StandardCharsets.US_ASCII));
				slot.flags(StreamFlags.SOM | StreamFlags.EOM);
				return StreamResult.OK;
			}
		});
		int port = ((InetSocketAddress) listener.localAddress()).getPort();
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/a"))
			.timeout(Duration.ofSeconds(5))
			.build();
		HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(202);
		assertThat(response.body()).isEqualTo("hello");
		assertThat(refusals).hasSize(4).allSatisfy((message) -> assertThat(message).contains("200..999"));
	}

}
