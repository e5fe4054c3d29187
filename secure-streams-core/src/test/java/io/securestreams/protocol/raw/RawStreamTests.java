package io.securestreams.protocol.raw;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.testsupport.WsEchoHandler;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class RawStreamTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams streams;

	/**
	 * Sends a body in pieces, asking for the next tx after each; marks pieces with SOM/EOM to show they are
	 * ignored.
	 */
	static final class Sender extends RecordingHandler {

		private final byte[] body;

		private int sent;

		Sender(byte[] body) {
			this.body = body;
		}

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			if (state == StreamState.CONNECTED) {
				stream.requestTx();
			}
			return super.onState(stream, state, ack);
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			int length = Math.min(Math.min(slot.capacity(), 5000), this.body.length - this.sent);
			slot.buffer().put(this.body, this.sent, length);
			slot.flags(io.securestreams.StreamFlags.SOM | io.securestreams.StreamFlags.EOM);
			this.sent += length;
			if (this.sent < this.body.length) {
				stream.requestTx();
			}
			return StreamResult.OK;
		}

	}

	private static void rawServer(PolicyFragment fragment, boolean tls) {
		TestPolicies.server(fragment.streamType("rawsrv"), Protocol.RAW, tls);
	}

	@ParameterizedTest
	@ValueSource(booleans = { false, true })
	void rawClientAndRawServerExchangeBytesWithFlagsZero(boolean tls) {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		rawServer(fragment, tls);
		this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		RecordingHandler serverStates = new RecordingHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.CONNECTED) {
					stream.changeHandler(new WsEchoHandler());
				}
				return super.onState(stream, state, ack);
			}
		};
		SecureStream listener = this.streams.create("rawsrv", serverStates);
		fragment.streamType("raw")
			.set(StreamTypeKey.PROTOCOL, Protocol.RAW)
			.set(StreamTypeKey.ENDPOINT, tls ? "localhost" : "127.0.0.1")
			.set(StreamTypeKey.PORT, ((InetSocketAddress) listener.localAddress()).getPort())
			.set(StreamTypeKey.TLS, tls)
			.set(StreamTypeKey.TLS_TRUST_STORE, tls ? "test_ca" : null)
			.set(StreamTypeKey.RETRY, "fast");
		this.streams.replacePolicy(fragment.build());
		byte[] body = new byte[200_000];
		new Random(9).nextBytes(body);
		Sender client = new Sender(body);
		this.streams.create("raw", client).connect();
		Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> client.received().length >= body.length);
		assertThat(client.received()).isEqualTo(body);
		assertThat(client.rxFlags).isNotEmpty().containsOnly(0);
		assertThat(client.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
		assertThat(serverStates.stateNames()).containsExactly("CREATING", "CREATING", "CONNECTING", "CONNECTED");
		assertThat(listener.acceptedStreams()).singleElement()
			.satisfies((accepted) -> assertThat(accepted.role()).isEqualTo(StreamRole.ACCEPTED));
	}

	@Test
	void aPlainSocketTalksToTheRawServer() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		rawServer(fragment, false);
		this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		RecordingHandler server = new RecordingHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.CONNECTED) {
					stream.changeHandler(new WsEchoHandler());
				}
				return super.onState(stream, state, ack);
			}
		};
		SecureStream listener = this.streams.create("rawsrv", server);
		try (Socket socket = new Socket("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort())) {
			OutputStream out = socket.getOutputStream();
			out.write("ping over raw".getBytes());
			out.flush();
			InputStream in = socket.getInputStream();
			assertThat(new String(in.readNBytes(13))).isEqualTo("ping over raw");
		}
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> listener.acceptedStreams().isEmpty());
	}

	@Test
	void txDontSendFromAnAcceptedStreamsStateClosesTheConnection() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		rawServer(fragment, false);
		this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		// As every result but OK and DESTROY_ME from onState (reference section 2); only an
		// accepted stream reaches CONNECTED, the listener stays at CREATING.
		RecordingHandler server = new RecordingHandler().onState((stream, state) -> (state == StreamState.CONNECTED)
				? StreamResult.TX_DONT_SEND : StreamResult.OK);
		SecureStream listener = this.streams.create("rawsrv", server);
		try (Socket socket = new Socket("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort())) {
			socket.setSoTimeout(5000);
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
		server.await(StreamState.DISCONNECTED, Duration.ofSeconds(5));
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> listener.acceptedStreams().isEmpty());
	}

	@Test
	void aNonOpportunisticRawClientReconnectsWhenThePeerCloses() throws Exception {
		try (java.net.ServerSocket peer = new java.net.ServerSocket(0, 5,
				java.net.InetAddress.getByName("127.0.0.1"))) {
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.raw(fragment.streamType("raw"), peer.getLocalPort());
			this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
			RecordingHandler client = new RecordingHandler();
			this.streams.create("raw", client).connect();
			peer.accept().close();
			client.await(StreamState.CONNECTED, 2, Duration.ofSeconds(10));
			assertThat(client.stateNames()).startsWith("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED", "POLL",
					"CONNECTING", "CONNECTED");
			peer.accept().close();
		}
	}

}
