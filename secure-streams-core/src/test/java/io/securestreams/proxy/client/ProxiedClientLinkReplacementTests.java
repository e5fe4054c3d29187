package io.securestreams.proxy.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStream;
import io.securestreams.StreamResult;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedProxy;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a new link to the proxy carries again for a transaction the old link's onward stream took
 * with it (docs/proxy.md): a proxy that goes away while its onward stream is connecting.
 */
class ProxiedClientLinkReplacementTests extends ScriptedProxyFixture {

	@RegisterExtension
	final TestResources resources = new TestResources();

	/**
	 * The length hint belongs to the transaction the new link asks for again: without it the new
	 * onward stream makes a request with no body length, or none at all for a GET.
	 */
	@Test
	void aTransactionAskedForAgainOnANewLinkCarriesItsLengthHintAgain() throws Exception {
		proxiedContext(this.guard);
		this.proxy.listen();
		byte[] body = "hello".getBytes(StandardCharsets.US_ASCII);
		RecordingHandler handler = new RecordingHandler().send(body, body.length);
		SecureStream stream = this.streams.create("post", handler);
		stream.requestTxLen(body.length);
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		assertThat(link.next().type()).isEqualTo(0xaa);
		link.send(ToClient.CreateResult.ok(0, List.of("post")), state(StreamState.CREATING));
		assertThat(link.next().bytes()).containsExactly(0xb1, 0, 4, 0, 0, 0, 5);
		assertThat(link.next().bytes()).containsExactly(0xab, 0, 0);
		link.send(state(StreamState.POLL), state(StreamState.CONNECTING));
		handler.await(StreamState.CONNECTING, WAIT);
		// The proxy goes before its onward stream connected.
		link.close();
		ScriptedProxy.Link again = this.proxy.accept(WAIT);
		assertThat(again.next().type()).isEqualTo(0xaa);
		again.send(ToClient.CreateResult.ok(0, List.of("post")), state(StreamState.CREATING));
		assertThat(again.next().bytes()).as("PAYLOAD_LENGTH_HINT again").containsExactly(0xb1, 0, 4, 0, 0, 0, 5);
		assertThat(again.next().bytes()).as("ONWARD_CONNECT again").containsExactly(0xab, 0, 0);
		again.send(state(StreamState.CONNECTED));
		FrameReader.Frame payload = again.next();
		assertThat(payload.type()).isEqualTo(0xad);
		assertThat(ByteBuffer.wrap(payload.body()).getInt()).isEqualTo(StreamFlags.SOM | StreamFlags.EOM);
		assertThat(Arrays.copyOfRange(payload.body(), 16, payload.body().length)).isEqualTo(body);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED");
		this.guard.assertNoViolations();
	}

	/**
	 * The same through our proxy to an http server: a DISCONNECT_ME returned to CONNECTING hangs up
	 * the link, and the transaction the new link asks for must still carry the announced body.
	 */
	@Test
	void aBodyAnnouncedWithALengthStillTravelsAfterADisconnectMeFromConnecting() throws Exception {
		MockWebServer server = this.resources.mockWebServer();
		server.enqueue(new MockResponse.Builder().body("ok").build());
		server.enqueue(new MockResponse.Builder().body("ok").build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", server.getPort(), "PUT", "/x");
		StreamsUnderTest proxied = this.resources.start(StreamsUnderTest.Mode.PROXIED, fragment.build());
		byte[] body = "hello".getBytes(StandardCharsets.US_ASCII);
		AtomicInteger connecting = new AtomicInteger();
		RecordingHandler handler = new RecordingHandler().send(body, body.length)
			.onState((s, state) -> (state == StreamState.CONNECTING && connecting.getAndIncrement() == 0)
					? StreamResult.DISCONNECT_ME : StreamResult.OK);
		proxied.streams().create("t", handler).requestTxLen(body.length);
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		// The first attempt may have sent its request before it was given up: the last one counts.
		RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
		for (RecordedRequest next = request; next != null; next = server.takeRequest(200, TimeUnit.MILLISECONDS)) {
			request = next;
		}
		assertThat(request).isNotNull();
		assertThat(request.getHeaders().get("Content-Length")).isEqualTo("5");
		assertThat(request.getBody()).isNotNull();
		assertThat(request.getBody().utf8()).isEqualTo("hello");
	}

}
