package io.securestreams.protocol.h1;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An h1 client stream whose {@code via_socks5} proxy is hostile or broken: every bad answer
 * (refused method, refused CONNECT, not SOCKS5 at all, silence, a cut-off reply, an odd bound
 * address) ends the attempt as a refused connection does, within the connect timeout, with a log
 * line naming the SOCKS5 failure; a valid but unusual reply (a 255-byte bound name) still works.
 * The proxy is a scripted RFC 1928 server on a plain socket, so that it can send what no real
 * proxy would.
 */
class Socks5HostileProxyTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final List<String> FAILED_ONCE = List.of("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
			"ALL_RETRIES_FAILED");

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private final LogCapture logs = this.resources.closing(new LogCapture());

	private final CapturedLogs nettyLogs = this.resources.closing(new CapturedLogs("io.netty"));

	/** The destinations of the CONNECT requests the proxy read. */
	private final List<String> requests = new CopyOnWriteArrayList<>();

	@Test
	void aProxyPortThatRefusesFailsTheAttemptAsARefusedConnectionDoes() throws IOException {
		int closed;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			closed = socket.getLocalPort();
		}
		RecordingHandler handler = get("127.0.0.1:" + closed, null, false);
		assertFailed(handler, "Connection refused");
	}

	@Test
	void noAcceptableMethodFailsTheAttempt() {
		ScriptedSocks5 proxy = proxy((in, out) -> {
			readGreeting(in);
			out.write(new byte[] { 5, (byte) 0xFF });
			drain(in);
		});
		assertFailed(get(proxy), "unexpected authMethod");
	}

	@Test
	void usernamePasswordMethodThatWasNotOfferedFailsTheAttempt() {
		ScriptedSocks5 proxy = proxy((in, out) -> {
			assertThat(readGreeting(in)).containsExactly(0);
			out.write(new byte[] { 5, 2 });
			drain(in);
		});
		assertFailed(get(proxy), "unexpected authMethod");
	}

	@Test
	void connectRefusedByTheProxyFailsTheAttempt() {
		ScriptedSocks5 proxy = proxy((in, out) -> {
			greet(in, out);
			readRequest(in);
			reply(out, 5, new byte[] { 1, 0, 0, 0, 0 });
			drain(in);
		});
		assertFailed(get(proxy), "status: CONNECTION_REFUSED");
	}

	@Test
	void generalFailureOfTheProxyFailsTheAttemptWithTheTopLevelViaSocks5() {
		ScriptedSocks5 proxy = proxy((in, out) -> {
			greet(in, out);
			readRequest(in);
			reply(out, 1, new byte[] { 1, 0, 0, 0, 0 });
			drain(in);
		});
		assertFailed(get(proxy.address(), null, true), "status: FAILURE");
	}

	@Test
	void anHttpAnswerToTheGreetingFailsTheAttempt() {
		ScriptedSocks5 proxy = proxy((in, out) -> {
			readGreeting(in);
			out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			drain(in);
		});
		assertFailed(get(proxy), "unsupported version: 72 (expected: 5)");
	}

	@Test
	void aSocks4VersionInTheMethodReplyFailsTheAttempt() {
		ScriptedSocks5 proxy = proxy((in, out) -> {
			readGreeting(in);
			out.write(new byte[] { 4, 0 });
			drain(in);
		});
		assertFailed(get(proxy), "unsupported version: 4 (expected: 5)");
	}

	@Test
	void aSocks4VersionInTheConnectReplyFailsTheAttempt() {
		ScriptedSocks5 proxy = proxy((in, out) -> {
			greet(in, out);
			readRequest(in);
			out.write(new byte[] { 4, 0, 0, 1, 127, 0, 0, 1, 0, 80 });
			drain(in);
		});
		assertFailed(get(proxy), "unsupported version: 4 (expected: 5)");
	}

	@Test
	void aProxyThatNeverAnswersTheGreetingFailsWithinTheConnectTimeout() {
		ScriptedSocks5 proxy = proxy((in, out) -> {
			readGreeting(in);
			drain(in);
		});
		assertFailed(get(proxy), "timeout");
	}

	@Test
	void aProxyThatNeverAnswersTheConnectFailsWithinTheConnectTimeout() {
		ScriptedSocks5 proxy = proxy((in, out) -> {
			greet(in, out);
			readRequest(in);
			drain(in);
		});
		assertFailed(get(proxy), "timeout");
	}

	@Test
	void aProxyThatClosesInTheMiddleOfTheMethodReplyFailsTheAttempt() {
		ScriptedSocks5 proxy = proxy((in, out) -> {
			readGreeting(in);
			out.write(5);
			out.flush();
		});
		assertFailed(get(proxy), "socks5");
	}

	@Test
	void aProxyThatClosesInTheMiddleOfTheConnectReplyFailsTheAttempt() {
		ScriptedSocks5 proxy = proxy((in, out) -> {
			greet(in, out);
			readRequest(in);
			out.write(new byte[] { 5, 0, 0, 1, 127 });
			out.flush();
		});
		assertFailed(get(proxy), "socks5");
	}

	@Test
	void aBoundAddressOf255ByteNameIsAcceptedAndTheStreamGoesThrough() {
		this.server.enqueue(new MockResponse.Builder().body("through the tunnel").build());
		// Four labels of 63 bytes and three dots: the longest name SOCKS5 can carry.
		String name = String.join(".", List.of("a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(63)));
		ScriptedSocks5 proxy = proxy((in, out) -> {
			greet(in, out);
			String target = readRequest(in);
			try (Socket onward = new Socket("127.0.0.1",
					Integer.parseInt(target.substring(target.lastIndexOf(':') + 1)))) {
				reply(out, 0, boundName(name));
				relay(in, out, onward);
			}
		});
		RecordingHandler handler = get(proxy);
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("through the tunnel");
		assertThat(this.requests).containsExactly("127.0.0.1:" + this.server.getPort());
		assertNoNettyComplaint();
	}

	@Test
	void aBoundNameWithA255ByteLabelFailsTheAttempt() {
		// Not a host name (labels have at most 63 bytes): Netty's decoder rejects it, and the
		// attempt fails like any other bad reply.
		ScriptedSocks5 proxy = proxy((in, out) -> {
			greet(in, out);
			readRequest(in);
			reply(out, 0, boundName("a".repeat(255)));
			drain(in);
		});
		assertFailed(get(proxy), "label in the input is too long");
	}

	@Test
	void anUnknownAddressTypeInTheConnectReplyFailsTheAttempt() {
		ScriptedSocks5 proxy = proxy((in, out) -> {
			greet(in, out);
			readRequest(in);
			reply(out, 0, new byte[] { 9, 1, 2, 3, 4 });
			drain(in);
		});
		assertFailed(get(proxy), "unsupported address type: 9");
	}

	@Test
	void aProxyThatClosesAfterAGoodHandshakeFailsTheAttempt() {
		ScriptedSocks5 proxy = proxy((in, out) -> {
			greet(in, out);
			readRequest(in);
			reply(out, 0, new byte[] { 1, 127, 0, 0, 1 });
		});
		RecordingHandler handler = get(proxy);
		Awaitility.await().atMost(WAIT).until(() -> handler.states.contains(StreamState.ALL_RETRIES_FAILED));
		assertThat(handler.stateNames()).isEqualTo(FAILED_ONCE);
		assertThat(proxy.connections).hasValue(1);
		assertNoNettyComplaint();
	}

	@Test
	void aRetryGoesToTheProxyAgain() {
		ScriptedSocks5 proxy = proxy((in, out) -> {
			greet(in, out);
			readRequest(in);
			reply(out, 5, new byte[] { 1, 0, 0, 0, 0 });
			drain(in);
		});
		RecordingHandler handler = get(proxy.address(), "once", false);
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE", "POLL",
				"CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
		assertThat(proxy.connections).hasValue(2);
		assertThat(this.requests).hasSize(2).containsOnly("127.0.0.1:" + this.server.getPort());
	}

	private void assertFailed(RecordingHandler handler, String why) {
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).isEqualTo(FAILED_ONCE);
		Awaitility.await()
			.atMost(WAIT)
			.untilAsserted(() -> assertThat(this.logs.messages())
				.anyMatch((line) -> line.contains("connection failed") && line.contains(why)));
		assertNoNettyComplaint();
		assertThat(this.server.getRequestCount()).isZero();
	}

	// An exception thrown from one of our listeners or reaching the pipeline's tail shows up here.
	private void assertNoNettyComplaint() {
		assertThat(this.nettyLogs.messages()).noneMatch((line) -> line.contains("exception"));
	}

	private ScriptedSocks5 proxy(Script script) {
		return this.resources.closing(new ScriptedSocks5(script));
	}

	private RecordingHandler get(ScriptedSocks5 proxy) {
		return get(proxy.address(), null, false);
	}

	private RecordingHandler get(String socks5, String retry, boolean topLevel) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", "/")
			.set(StreamTypeKey.RETRY, retry);
		if (topLevel) {
			fragment.viaSocks5(socks5);
		}
		else {
			fragment.streamType("t").set(StreamTypeKey.VIA_SOCKS5, socks5);
		}
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.connectTimeout(Duration.ofSeconds(1)));
		RecordingHandler handler = new RecordingHandler();
		streams.create("t", handler).requestTx();
		return handler;
	}

	private static List<Integer> readGreeting(InputStream in) throws IOException {
		DataInputStream data = new DataInputStream(in);
		assertThat(data.readUnsignedByte()).isEqualTo(5);
		int count = data.readUnsignedByte();
		List<Integer> methods = new CopyOnWriteArrayList<>();
		for (int i = 0; i < count; i++) {
			methods.add(data.readUnsignedByte());
		}
		return methods;
	}

	private static void greet(InputStream in, OutputStream out) throws IOException {
		readGreeting(in);
		out.write(new byte[] { 5, 0 });
		out.flush();
	}

	// Reads a CONNECT request and returns its destination as host:port.
	private String readRequest(InputStream in) throws IOException {
		DataInputStream data = new DataInputStream(in);
		assertThat(data.readUnsignedByte()).isEqualTo(5);
		assertThat(data.readUnsignedByte()).isEqualTo(1);
		data.readUnsignedByte();
		int type = data.readUnsignedByte();
		String host = switch (type) {
			case 1 -> InetAddress.getByAddress(data.readNBytes(4)).getHostAddress();
			case 3 -> new String(data.readNBytes(data.readUnsignedByte()), StandardCharsets.US_ASCII);
			case 4 -> InetAddress.getByAddress(data.readNBytes(16)).getHostAddress();
			default -> throw new IOException("address type " + type);
		};
		String target = host + ":" + data.readUnsignedShort();
		this.requests.add(target);
		return target;
	}

	// Writes VER REP RSV, then the bound address (ATYP and address bytes) and port 1080.
	private static void reply(OutputStream out, int status, byte[] bound) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		bytes.write(new byte[] { 5, (byte) status, 0 });
		bytes.write(bound);
		bytes.write(new byte[] { 0x04, 0x38 });
		out.write(bytes.toByteArray());
		out.flush();
	}

	private static byte[] boundName(String name) {
		byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
		byte[] bound = new byte[2 + bytes.length];
		bound[0] = 3;
		bound[1] = (byte) bytes.length;
		System.arraycopy(bytes, 0, bound, 2, bytes.length);
		return bound;
	}

	// Reads until the client closes, so that a failure comes from the reply, not from a close.
	private static void drain(InputStream in) throws IOException {
		in.transferTo(OutputStream.nullOutputStream());
	}

	private static void relay(InputStream in, OutputStream out, Socket onward) throws IOException {
		Thread up = new Thread(() -> {
			try {
				in.transferTo(onward.getOutputStream());
				onward.shutdownOutput();
			}
			catch (IOException ex) {
				// Either side closing ends the relay.
			}
		}, "socks5-relay-up");
		up.setDaemon(true);
		up.start();
		onward.getInputStream().transferTo(out);
	}

	@FunctionalInterface
	private interface Script {

		void run(InputStream in, OutputStream out) throws IOException;

	}

	/**
	 * A SOCKS5 proxy on 127.0.0.1 that runs a script on each connection, then closes it.
	 */
	private final class ScriptedSocks5 implements AutoCloseable {

		final AtomicInteger connections = new AtomicInteger();

		private final List<AssertionError> failures = new CopyOnWriteArrayList<>();

		private final ServerSocket socket;

		ScriptedSocks5(Script script) {
			try {
				this.socket = new ServerSocket(0, 16, InetAddress.getByName("127.0.0.1"));
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			Thread accept = new Thread(() -> {
				while (!this.socket.isClosed()) {
					try {
						Socket client = this.socket.accept();
						this.connections.incrementAndGet();
						Thread run = new Thread(() -> serve(client, script), "socks5-script");
						run.setDaemon(true);
						run.start();
					}
					catch (IOException ex) {
						// Closed.
					}
				}
			}, "socks5-accept");
			accept.setDaemon(true);
			accept.start();
		}

		private void serve(Socket client, Script script) {
			try (client) {
				client.setSoTimeout(30_000);
				script.run(client.getInputStream(), client.getOutputStream());
			}
			catch (IOException ex) {
				// The client closing early ends the script; the test checks what the client did.
			}
			catch (AssertionError ex) {
				this.failures.add(ex);
			}
		}

		String address() {
			return "127.0.0.1:" + this.socket.getLocalPort();
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
			// What the client sent the proxy was wrong: fail the test after the fact.
			if (!this.failures.isEmpty()) {
				throw this.failures.get(0);
			}
		}

	}

}
