package io.securestreams.boot.actuate.endpoint;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.boot.actuate.endpoint.SecureStreamsEndpoint.StreamDescriptor;
import io.securestreams.boot.actuate.endpoint.SecureStreamsEndpoint.StreamTypeStreamsDescriptor;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streams view of a server streamtype: each listener and the streams it accepted, which name
 * it, so that what a listener serves can be told apart from what another one of the same
 * streamtype serves.
 */
class SecureStreamsEndpointServerStreamsTests {

	private SecureStreams streams;

	private final HttpClient http = HttpClient.newHttpClient();

	private final List<WebSocket> clients = new ArrayList<>();

	@AfterEach
	void stop() {
		this.clients.forEach(WebSocket::abort);
		this.streams.close();
	}

	@Test
	void acceptedStreamsNameTheirListener() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false)
			.set(StreamTypeKey.WS_SUBPROTOCOL, "p");
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(1).build();
		SecureStream first = this.streams.create("srv", new RecordingHandler());
		SecureStream second = this.streams.create("srv", new RecordingHandler());
		WebSocket ws = connect(first);
		connect(second);
		connect(second);
		SecureStreamsEndpoint endpoint = new SecureStreamsEndpoint(this.streams);
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.streamType("srv").streams().size() == 5);
		StreamTypeStreamsDescriptor srv = endpoint.streamType("srv");
		assertThat(srv.summary().server()).isTrue();
		assertThat(srv.summary().streams()).isEqualTo(5);
		assertThat(srv.streams()).filteredOn((stream) -> stream.role().equals("LISTENER"))
			.extracting(StreamDescriptor::id)
			.containsExactlyInAnyOrder(first.id(), second.id());
		assertThat(srv.streams()).filteredOn((stream) -> stream.role().equals("LISTENER"))
			.allSatisfy((listener) -> assertThat(listener.listenerId()).isNull());
		assertThat(srv.streams()).filteredOn((stream) -> stream.role().equals("ACCEPTED"))
			.extracting(StreamDescriptor::listenerId)
			.containsExactlyInAnyOrder(first.id(), second.id(), second.id());
		assertThat(srv.streams()).filteredOn((stream) -> stream.role().equals("ACCEPTED"))
			.allSatisfy((accepted) -> assertThat(accepted.peer()).contains("127.0.0.1"));
		ws.abort();
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.streamType("srv").streams().size() == 4);
		assertThat(endpoint.streamType("srv").streams()).filteredOn((stream) -> stream.role().equals("ACCEPTED"))
			.extracting(StreamDescriptor::listenerId)
			.containsExactly(second.id(), second.id());
	}

	private WebSocket connect(SecureStream listener) {
		int port = ((InetSocketAddress) listener.localAddress()).getPort();
		WebSocket ws = this.http.newWebSocketBuilder().subprotocols("p")
			.buildAsync(URI.create("ws://127.0.0.1:" + port + "/"), new WebSocket.Listener() {
			})
			.join();
		this.clients.add(ws);
		return ws;
	}

}
