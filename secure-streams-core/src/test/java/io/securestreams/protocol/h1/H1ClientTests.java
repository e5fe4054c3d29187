package io.securestreams.protocol.h1;

import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.Policy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Basic h1 transactions, run directly and through our Java proxy. Proxied differences, as with
 * libwebsockets' proxy: a GET started with {@code requestTx} is an ONWARD_CONNECT, which connects
 * without POLL; and the proxy closes the onward connection after each transaction, so
 * DISCONNECTED follows each result and the next transaction connects again.
 */
@ParameterizedClass
@EnumSource(Mode.class)
class H1ClientTests {

	@Parameter
	Mode mode;

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private StreamsUnderTest streams;

	private SecureStreams start(Policy policy) {
		this.streams = this.resources.start(this.mode, policy, (b) -> b.eventLoopThreads(2));
		return this.streams.streams();
	}

	private boolean proxied() {
		return this.mode == Mode.PROXIED;
	}

	@Test
	void getDeliversBodyWithSomThenZeroLengthEomThenAck() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(200).body("hello world").build());
		start(TestPolicies.with("get",
				(b) -> TestPolicies.h1(b, "127.0.0.1", this.server.getPort(), "GET", "status/200")));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.streams().create("get", handler);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(10));
		assertThat(handler.stateNames()).startsWith(proxied() ? new String[] { "CREATING", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE" } : new String[] { "CREATING", "POLL", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE" });
		assertThat(new String(handler.received())).isEqualTo("hello world");
		assertThat(handler.rxFlags).first().isEqualTo(StreamFlags.SOM);
		assertThat(handler.rxFlags).last().isEqualTo(StreamFlags.EOM);
		RecordedRequest request = this.server.takeRequest();
		assertThat(request.getTarget()).isEqualTo("/status/200");
		assertThat(request.getMethod()).isEqualTo("GET");
		stream.destroy();
		handler.await(StreamState.DESTROYING, Duration.ofSeconds(5));
		assertThat(handler.stateNames()).endsWith("QOS_ACK_REMOTE", "DISCONNECTED", "DESTROYING");
	}

	@Test
	void non2xxIsNackAndClosesTheConnection() {
		this.server.enqueue(new MockResponse.Builder().code(403).body("no").build());
		start(TestPolicies.with("get",
				(b) -> TestPolicies.h1(b, "127.0.0.1", this.server.getPort(), "GET", "/status/403")));
		RecordingHandler handler = new RecordingHandler();
		this.streams.streams().create("get", handler).requestTx();
		handler.await(StreamState.DISCONNECTED, Duration.ofSeconds(10));
		assertThat(handler.stateNames()).isEqualTo(proxied()
				? List.of("CREATING", "CONNECTING", "CONNECTED", "QOS_NACK_REMOTE", "DISCONNECTED")
				: List.of("CREATING", "POLL", "CONNECTING", "CONNECTED", "QOS_NACK_REMOTE", "DISCONNECTED"));
	}

	@Test
	void keptAliveConnectionCarriesTheNextTransaction() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(200).body("one").build());
		this.server.enqueue(new MockResponse.Builder().code(200).body("two").build());
		start(TestPolicies.with("get",
				(b) -> TestPolicies.h1(b, "127.0.0.1", this.server.getPort(), "GET", "/n")));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.streams().create("get", handler);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(10));
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, 2, Duration.ofSeconds(10));
		if (proxied()) {
			handler.await(StreamState.DISCONNECTED, 2, Duration.ofSeconds(10));
			// The proxied client sees each transaction end with DISCONNECTED, as from the C proxy,
			// while the proxy keeps the onward connection for the next one.
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE",
					"DISCONNECTED", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE", "DISCONNECTED");
		}
		else {
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
					"QOS_ACK_REMOTE", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE");
		}
		assertThat(new String(handler.received())).isEqualTo("onetwo");
		assertThat(List.of(this.server.takeRequest().getConnectionIndex(),
				this.server.takeRequest().getConnectionIndex()))
			.containsExactly(0, 0);
	}


	private List<String> twoTransactions() {
		return proxied()
				? List.of("CREATING", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE", "DISCONNECTED", "CONNECTING",
						"CONNECTED", "QOS_ACK_REMOTE", "DISCONNECTED")
				: List.of("CREATING", "POLL", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE", "CONNECTING", "CONNECTED",
						"QOS_ACK_REMOTE");
	}

	private void awaitTwoTransactions(RecordingHandler handler) {
		handler.await(StreamState.QOS_ACK_REMOTE, 2, Duration.ofSeconds(10));
		if (proxied()) {
			handler.await(StreamState.DISCONNECTED, 2, Duration.ofSeconds(10));
		}
	}

	@Test
	void metadataChangedBetweenTransactionsReachesTheUrlOfTheNextOne() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(200).body("one").build());
		this.server.enqueue(new MockResponse.Builder().code(200).body("two").build());
		start(TestPolicies.with("get", (b) -> TestPolicies.h1(b, "127.0.0.1", this.server.getPort(), "GET",
				"/items/${item}").set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("item", "")))));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.streams().create("get", handler);
		stream.setMetadata("item", "1");
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(10));
		stream.setMetadata("item", "2");
		stream.requestTx();
		awaitTwoTransactions(handler);
		assertThat(this.server.takeRequest().getTarget()).isEqualTo("/items/1");
		assertThat(this.server.takeRequest().getTarget()).isEqualTo("/items/2");
		assertThat(handler.stateNames()).isEqualTo(twoTransactions());
	}

	@Test
	void transactionAfterAFollowedRedirectStartsAfreshAtThePolicyUrl() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "/moved").build());
		this.server.enqueue(new MockResponse.Builder().code(200).body("one").build());
		this.server.enqueue(new MockResponse.Builder().code(200).body("two").build());
		start(TestPolicies.with("get", (b) -> TestPolicies.h1(b, "127.0.0.1", this.server.getPort(), "GET", "/n")
			.set(StreamTypeKey.ALLOW_REDIRECTS, true)));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.streams().create("get", handler);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(10));
		stream.requestTx();
		awaitTwoTransactions(handler);
		assertThat(new String(handler.received())).isEqualTo("onetwo");
		assertThat(this.server.takeRequest().getTarget()).isEqualTo("/n");
		assertThat(this.server.takeRequest().getTarget()).isEqualTo("/moved");
		assertThat(this.server.takeRequest().getTarget()).isEqualTo("/n");
		assertThat(handler.stateNames()).isEqualTo(twoTransactions());
	}

	@Test
	void endpointChangedBetweenTransactionsMovesTheNextOneToTheNewPeer() throws Exception {
		MockWebServer other = this.resources.mockWebServer();
		this.server.enqueue(new MockResponse.Builder().code(200).body("one").build());
		other.enqueue(new MockResponse.Builder().code(200).body("two").build());
		start(TestPolicies.with("get", (b) -> TestPolicies.h1(b, "${ep}", 0, "GET", "/n")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("ep", "")))));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.streams().create("get", handler);
		stream.setMetadata("ep", "http://127.0.0.1:" + this.server.getPort() + "/n");
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(10));
		stream.setMetadata("ep", "http://127.0.0.1:" + other.getPort() + "/n");
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, 2, Duration.ofSeconds(10));
		assertThat(new String(handler.received())).isEqualTo("onetwo");
		assertThat(this.server.getRequestCount()).isEqualTo(1);
		assertThat(other.getRequestCount()).isEqualTo(1);
	}

}
