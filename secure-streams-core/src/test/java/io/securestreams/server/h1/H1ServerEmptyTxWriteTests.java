package io.securestreams.server.h1;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server handler's {@code onTx} that writes nothing but flags once the response has begun (a
 * SOM before it has data) is called again, as libwebsockets re-arms writeable after a write
 * without EOM, but on a later task of the event loop: the other connections of the loop are
 * served meanwhile, where the response's loop used to ask again at once, for as long as the
 * handler had nothing.
 */
class H1ServerEmptyTxWriteTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void anEmptyWriteWithoutEomIsAskedAgainWithoutHoldingTheEventLoop() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		List<String> served = new CopyOnWriteArrayList<>();
		AtomicInteger emptyWrites = new AtomicInteger();
		// The slow answer's bytes come once the fast one is out (or, should the loop be held,
		// after a while, so that the test ends).
		long giveUp = System.nanoTime() + Duration.ofSeconds(15).toNanos();
		SecureStream listener = streams.create("srv", new StreamHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.SERVER_TXN) {
					stream.serverAck(200);
					stream.setMetadata("mime", "text/plain");
					stream.requestTx();
				}
				return StreamResult.OK;
			}

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				String path = stream.metadata("path");
				if ("/slow".equals(path) && !served.contains("/fast") && System.nanoTime() < giveUp) {
					emptyWrites.incrementAndGet();
					slot.flags(StreamFlags.SOM);
					return StreamResult.OK;
				}
				served.add(path);
				slot.write(path.getBytes(StandardCharsets.US_ASCII)).flags(StreamFlags.SOM | StreamFlags.EOM);
				return StreamResult.OK;
			}
		});
		int port = ((InetSocketAddress) listener.localAddress()).getPort();
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		CompletableFuture<HttpResponse<String>> slow = client.sendAsync(request(port, "/slow"),
				HttpResponse.BodyHandlers.ofString());
		Awaitility.await().atMost(WAIT).until(() -> emptyWrites.get() > 0);
		HttpResponse<String> fast = client.send(request(port, "/fast"), HttpResponse.BodyHandlers.ofString());
		assertThat(fast.body()).isEqualTo("/fast");
		assertThat(slow).succeedsWithin(WAIT).satisfies((response) -> assertThat(response.body()).isEqualTo("/slow"));
		assertThat(served).containsExactly("/fast", "/slow");
		assertThat(emptyWrites.get()).isGreaterThan(1);
	}

	private static HttpRequest request(int port, String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(WAIT).build();
	}

}
