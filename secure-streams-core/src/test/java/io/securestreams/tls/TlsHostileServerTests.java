package io.securestreams.tls;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import io.netty.pkitesting.X509Bundle;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS servers a client must not trust, or that never finish the handshake, for the protocols
 * other than h1 (whose certificate failures the failure-path tests cover): each attempt fails
 * as UNREACHABLE without anything sent past the handshake, a stalled handshake is ended by the
 * connect timeout, and the client closes its socket. A server that hangs up in the middle of the
 * handshake is named as such in the log.
 */
class TlsHostileServerTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final AtomicInteger accepted = new AtomicInteger();

	private final AtomicInteger closedByClient = new AtomicInteger();

	@ParameterizedTest(name = "{0} {1}")
	@CsvSource({ "WS,wrong-host", "WS,expired", "WS,self-signed", "WS,silent", "H2,wrong-host", "H2,expired",
			"H2,self-signed", "H2,silent", "RAW,wrong-host", "RAW,expired", "RAW,self-signed", "RAW,silent",
			"H1,silent" })
	void anUntrustedOrStalledServerFailsEachAttempt(Protocol protocol, String kind) throws Exception {
		try (ServerSocket server = server(kind)) {
			PolicyFragment fragment = TestPolicies.base();
			fragment.streamType("s")
				.set(StreamTypeKey.PROTOCOL, protocol)
				.set(StreamTypeKey.ENDPOINT, "localhost")
				.set(StreamTypeKey.PORT, server.getLocalPort())
				.set(StreamTypeKey.TLS, true)
				.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
				.set(StreamTypeKey.HTTP_METHOD, (protocol == Protocol.RAW) ? null : "GET")
				.set(StreamTypeKey.HTTP_URL, (protocol == Protocol.RAW) ? null : "/")
				.set(StreamTypeKey.RETRY, "once");
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
				.eventLoopThreads(1)
				.connectTimeout(Duration.ofMillis(700)));
			RecordingHandler handler = new RecordingHandler();
			SecureStream stream = streams.create("s", handler);
			long start = System.nanoTime();
			stream.connect();
			handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE", "POLL",
					"CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
			assertThat(handler.received()).isEmpty();
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.closedByClient.get() == 2);
			assertThat(this.accepted.get()).isEqualTo(2);
		}
	}

	@Test
	void aServerThatClosesAfterTheClientHelloFailsTheAttemptNamingTheHandshake() throws Exception {
		LogCapture logs = this.resources.closing(new LogCapture());
		try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			Thread peer = new Thread(() -> {
				try (Socket client = server.accept()) {
					InputStream in = client.getInputStream();
					// The ClientHello's record header, then hang up.
					in.readNBytes(5);
				}
				catch (Exception ex) {
					// The test sees what the client does.
				}
			}, "tls-cut-off-peer");
			peer.setDaemon(true);
			peer.start();
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", server.getLocalPort(), "GET", "/")
				.set(StreamTypeKey.TLS, true)
				.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
				.set(StreamTypeKey.RETRY, null);
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
			RecordingHandler handler = new RecordingHandler();
			streams.create("get", handler).requestTx();
			handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
			assertThat(logs.messages()).filteredOn((line) -> line.contains("connection failed"))
				.singleElement()
				.asString()
				.contains("TLS handshake")
				.doesNotContain("ClosedChannelException: null");
		}
	}

	private ServerSocket server(String kind) throws Exception {
		X509Bundle certificate = switch (kind) {
			case "wrong-host" -> TestPki.wrongHost();
			case "expired" -> TestPki.expired();
			case "self-signed" -> TestPki.selfSigned();
			default -> null;
		};
		ServerSocket server = (certificate != null) ? TestPki.serverContext(certificate)
			.getServerSocketFactory()
			.createServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))
				: new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
		if (server instanceof SSLServerSocket tls) {
			tls.setNeedClientAuth(false);
		}
		Thread acceptor = new Thread(() -> {
			while (!server.isClosed()) {
				try {
					Socket client = server.accept();
					this.accepted.incrementAndGet();
					Thread serving = new Thread(() -> serve(client), "hostile-tls-client");
					serving.setDaemon(true);
					serving.start();
				}
				catch (Exception ex) {
					return;
				}
			}
		}, "hostile-tls");
		acceptor.setDaemon(true);
		acceptor.start();
		return server;
	}

	// A TLS server shakes hands (the client rejects it); a silent one only reads. Either way it
	// then waits for the client to close.
	private void serve(Socket client) {
		try (client) {
			if (client instanceof SSLSocket tls) {
				try {
					tls.startHandshake();
				}
				catch (Exception ex) {
					// the client refused the certificate and closed
					this.closedByClient.incrementAndGet();
					return;
				}
			}
			InputStream in = client.getInputStream();
			byte[] sink = new byte[4096];
			while (in.read(sink) >= 0) {
				// until the client closes
			}
			this.closedByClient.incrementAndGet();
		}
		catch (Exception ex) {
			this.closedByClient.incrementAndGet();
		}
	}

}
