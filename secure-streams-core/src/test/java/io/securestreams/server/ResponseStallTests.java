package io.securestreams.server;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Settings;
import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RawH2Client;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.transport.TransportResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that asks for responses and takes none of them (an http/1.1 client that stops
 * reading, an h2 client that never opens its window) is cut off after the handshake timeout
 * instead of holding its connection or stream, and the server's memory, for as long as it likes;
 * a client that reads slowly gets the whole response.
 */
class ResponseStallTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final Duration HANDSHAKE_TIMEOUT = Duration.ofMillis(300);

	// For the slow reader: a pause of a loaded machine must not pass for a stall.
	private static final Duration PATIENT_TIMEOUT = Duration.ofSeconds(1);

	private static final int SIZED = 48 * 1024 * 1024;

	private static final int SHORT = 6 * 1024 * 1024;

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final LogCapture logs = this.resources.closing(new LogCapture());

	private final EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	private final Responses handler = new Responses();

	@AfterEach
	void stopClients() {
		this.clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
	}

	@Test
	void anHttp11ClientThatReadsNoneOfTheResponseIsCutOff() throws Exception {
		SecureStream listener = listen(Protocol.H1);
		try (Socket client = new Socket()) {
			client.setReceiveBufferSize(4096);
			client.connect(listener.localAddress());
			OutputStream out = client.getOutputStream();
			out.write("GET /endless HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			awaitCutOffLogged();
			Awaitility.await().atMost(WAIT).until(() -> acceptedStates(listener).stream()
				.anyMatch((states) -> states.contains(StreamState.DISCONNECTED)));
		}
	}

	@Test
	void anHttp11ClientThatReadsSlowlyGetsTheWholeResponse() throws Exception {
		SecureStream listener = listen(Protocol.H1, PATIENT_TIMEOUT);
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		InetSocketAddress address = (InetSocketAddress) listener.localAddress();
		HttpResponse<InputStream> response = client.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + "/sized")).build(),
				HttpResponse.BodyHandlers.ofInputStream());
		assertThat(response.statusCode()).isEqualTo(200);
		// Far longer in all than the timeout, never that long without reading; more than the
		// sockets' buffers hold, so that the server waits for the client.
		long read = 0;
		try (InputStream body = response.body()) {
			byte[] piece = new byte[64 * 1024];
			for (int n = body.read(piece); n >= 0; n = body.read(piece)) {
				read += n;
				Thread.sleep(3);
			}
		}
		assertThat(read).isEqualTo(SIZED);
		assertThat(this.logs.contains("took none of the response")).isFalse();
	}

	/**
	 * A client that reads steadily, but slower than the server writes, empties a full kernel send
	 * buffer in steps the server's socket does not report: the kernel wakes a writer only once a
	 * good part of the buffer (megabytes on loopback) is free again. The client took bytes all
	 * along, and must not pass for one that takes none (on loopback, reading at some 800 KB/s
	 * went a second without the socket reported writable).
	 */
	@Test
	void aClientReadingSteadilyIsNotCutOffWhileTheKernelBufferDrains() throws Exception {
		// Only epoll hears from the kernel what the socket sent (see docs/servers.md).
		Assumptions.assumeTrue(Epoll.isAvailable(),
				"what the socket sent is read from TCP_INFO, which only the native epoll transport gives");
		SecureStream listener = listen(Protocol.H1, PATIENT_TIMEOUT, TransportResources.Kind.EPOLL);
		try (Socket client = new Socket()) {
			client.setReceiveBufferSize(4096);
			client.connect(listener.localAddress());
			OutputStream out = client.getOutputStream();
			out.write("GET /short HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = client.getInputStream();
			byte[] piece = new byte[8 * 1024];
			long read = 0;
			// Never a pause near the timeout, but slower than the server writes.
			for (int n = in.read(piece); n >= 0; n = in.read(piece)) {
				read += n;
				Thread.sleep(10);
			}
			assertThat(read).isGreaterThan(SHORT);
			assertThat(this.logs.contains("took none of the response")).isFalse();
		}
	}

	@Test
	void anH2ClientThatNeverOpensItsWindowHasTheStreamReset() throws Exception {
		SecureStream listener = listen(Protocol.H2);
		// SETTINGS_INITIAL_WINDOW_SIZE 0: no DATA may be sent on any stream until WINDOW_UPDATE.
		RawH2Client stingy = RawH2Client.connect(this.clientLoop, listener.localAddress(),
				new Http2Settings().initialWindowSize(0), true);
		Awaitility.await().atMost(WAIT).until(() -> stingy.events.contains("SETTINGS"));
		int id = stingy.get("/endless");
		awaitCutOffLogged();
		Awaitility.await().atMost(WAIT).until(() -> stingy.events.contains("RST " + id + " "
				+ Http2Error.CANCEL.code()));
		// The connection is not the one at fault: it goes on serving. (Closing the stream's channel
		// alone, with DATA queued for the window never opened, left it serving no other stream.)
		int next = stingy.get("/hello?name=again");
		Awaitility.await().atMost(WAIT).until(() -> stingy.events.contains("HEADERS " + next + " 200 end=false"));
		assertThat(stingy.isActive()).isTrue();
	}

	private SecureStream listen(Protocol protocol) {
		return listen(protocol, HANDSHAKE_TIMEOUT);
	}

	private SecureStream listen(Protocol protocol, Duration handshakeTimeout) {
		return listen(protocol, handshakeTimeout, TransportResources.Kind.AUTO);
	}

	private SecureStream listen(Protocol protocol, Duration handshakeTimeout, TransportResources.Kind transport) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), protocol, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.transport(transport)
			.limits(ProtocolLimits.DEFAULTS.withHandshakeTimeout(handshakeTimeout)));
		return streams.create("srv", this.handler);
	}

	private List<List<StreamState>> acceptedStates(SecureStream listener) {
		return List.copyOf(this.handler.acceptedStates(listener).values());
	}

	private void awaitCutOffLogged() {
		Awaitility.await()
			.atMost(WAIT)
			.until(() -> this.logs.contains("the client took none of the response for 300 ms"));
	}

	/**
	 * {@link RoutingServerHandler}, plus {@code GET /endless}, a response that never ends, and
	 * {@code GET /sized}, {@value #SIZED} bytes with their length announced, and {@code GET /short},
	 * {@value #SHORT} bytes likewise.
	 */
	private static final class Responses extends RoutingServerHandler {

		private final Set<Long> generating = ConcurrentHashMap.newKeySet();

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			String path = stream.metadata("path");
			if (state == StreamState.SERVER_TXN && ("/endless".equals(path) || "/sized".equals(path)
					|| "/short".equals(path))) {
				this.states.computeIfAbsent(stream.id(), (id) -> new CopyOnWriteArrayList<>())
					.add(state);
				this.generating.add(stream.id());
				stream.serverAck(200);
				if ("/sized".equals(path)) {
					stream.requestTxLen(SIZED);
				}
				else if ("/short".equals(path)) {
					stream.requestTxLen(SHORT);
				}
				else {
					stream.requestTx();
				}
				return StreamResult.OK;
			}
			return super.onState(stream, state, ack);
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			if (!this.generating.contains(stream.id())) {
				return super.onTx(stream, slot);
			}
			slot.buffer().position(slot.buffer().limit());
			return StreamResult.OK;
		}

	}

}
