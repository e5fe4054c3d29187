package io.securestreams.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.ProxyUnderTest;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile or broken clients: each gets its own link closed, with a log line naming the reason,
 * while a well-behaved proxied stream keeps working.
 */
class ProxyHostileInputTests {

	private static final String STREAMTYPE = HexFormat.of().formatHex(SsWire.toBytes(
			new ToProxy.StreamType(1, 42, SsWire.DEFAULT_INITIAL_TX_CREDIT, "get")));

	@TempDir
	Path temp;

	private MockWebServer server;

	private ProxyUnderTest harness;

	private SecureStreams context;

	private SecureStreamsProxy proxy;

	private SecureStreams client;

	private CapturedLogs logs;

	@BeforeEach
	void start() throws Exception {
		this.logs = new CapturedLogs("io.securestreams.proxy");
		this.server = new MockWebServer();
		this.server.setDispatcher(new HttpbinDispatcher());
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/${n}")
			.set(StreamTypeKey.METADATA,
					List.of(new MetadataDeclaration("n", ""), new MetadataDeclaration("h", "x-h:")));
		this.harness = new ProxyUnderTest(fragment.build(), this.temp);
		this.context = this.harness.context();
		this.proxy = this.harness.proxy();
		this.client = this.harness.client();
	}

	@AfterEach
	void stop() {
		this.harness.close();
		this.server.close();
		this.logs.close();
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', value = {
			"unknown type | 420000 | unknown frame type 0x42 from the client",
			"proxy-to-client type | 57000501000000 | frame type CONNSTATE (0x57) does not travel from the client",
			"reserved type | b30000 | reserved frame type LINK_VALIDITY_PROBE",
			"first frame not STREAMTYPE | ab0000 | expected STREAMTYPE as the first frame, got ONWARD_CONNECT",
			"bad length | STREAMTYPE b0000300000000 | bad length 3 for a TIMEOUT_UPDATE frame",
			"bad STREAMTYPE length | aa000501000000 | bad length 5 for a STREAMTYPE frame",
			"streamtype name of 32 | aa0029010000002a1dcd6500"
					+ "6161616161616161616161616161616161616161616161616161616161616161"
					+ " | streamtype name of 32 bytes",
			"unsupported version | aa000b0200000001000000016765 | unsupported SSv2",
			"second STREAMTYPE | STREAMTYPE STREAMTYPE | a second STREAMTYPE",
			"metadata name of 31 | STREAMTYPE ae00211f"
					+ "61616161616161616161616161616161616161616161616161616161616161" + "78"
					+ " | metadata name of 31 bytes",
			"metadata name overrun | STREAMTYPE ae000309616263 | metadata name of 9 bytes overruns",
			"undeclared metadata | STREAMTYPE ae0006046e6f706578 | metadata 'nope' not in proxy policy",
			"CR LF in a header value | STREAMTYPE ae00060168610d0a62 | metadata 'h' is sent as an http header",
			"DESTROYING | STREAMTYPE ac0000 | the client sent DESTROYING" })
	void brokenClientIsHungUpWithTheReasonAndOthersCarryOn(String what, String hex, String reason) throws Exception {
		RecordingHandler good = new RecordingHandler();
		SecureStream stream = this.client.create("get", good);
		stream.setMetadata("n", "200000");
		stream.requestTx();
		try (SocketChannel bad = this.harness.connectRaw()) {
			FrameReader.write(bad, HexFormat.of().parseHex(hex.replace("STREAMTYPE", STREAMTYPE).replace(" ", "")));
			assertClosed(bad);
		}
		assertThat(this.logs.await("hanging up", reason)).contains("ss proxy link");
		good.await(StreamState.DISCONNECTED, Duration.ofSeconds(20));
		assertThat(good.received()).hasSize(200000);
		assertThat(good.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE",
				"DISCONNECTED");
	}

	@Test
	void unknownStreamtypeGetsTheFailureFrameThenTheLinkCloses() throws Exception {
		try (SocketChannel bad = this.harness.connectRaw()) {
			FrameReader.write(bad, SsWire.toBytes(new ToProxy.StreamType(1, 7, 1, "nope")));
			FrameReader.Frame answer = new FrameReader(bad).next();
			assertThat(answer.bytes()).containsExactly(0x56, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00);
			assertClosed(bad);
		}
		assertThat(this.logs.await("stream creation failed", "unknown streamtype 'nope'")).contains("pid 7");
	}

	@Test
	void silentClientIsHungUpAfterThreeSeconds() throws Exception {
		long start = System.nanoTime();
		try (SocketChannel silent = this.harness.connectRaw()) {
			assertClosed(silent);
		}
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(2900));
		assertThat(this.logs.await("hanging up", "no STREAMTYPE within 3000 ms")).isNotNull();
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.proxy.links().isEmpty());
	}


	/**
	 * A streamtype name is the client's text, and goes into the log lines of its link: a CR or LF
	 * in it made a hostile client's text a log line of its own, an ESC a terminal escape.
	 */
	@Test
	void aStreamtypeNameCannotForgeLogLines() throws Exception {
		try (SocketChannel bad = this.harness.connectRaw()) {
			FrameReader.write(bad, SsWire.toBytes(new ToProxy.StreamType(1, 7, 1, "get\r\nERROR forged\u001b[2J")));
			assertClosed(bad);
		}
		assertThat(this.logs.await("stream creation failed", "unknown streamtype"))
			.contains("'get\\u000d\\u000aERROR forged\\u001b[2J'");
		assertNoControlCharacters();
	}

	/** The same for a metadata name, which the reason of the hang-up names. */
	@Test
	void aMetadataNameCannotForgeLogLines() throws Exception {
		try (SocketChannel bad = this.harness.connectRaw()) {
			FrameReader.write(bad, HexFormat.of().parseHex(STREAMTYPE));
			FrameReader.write(bad, SsWire.toBytes(new ToProxy.TxMetadata("n\nWARN forged\u001b", new byte[] { 'v' })));
			assertClosed(bad);
		}
		assertThat(this.logs.await("hanging up", "not in proxy policy"))
			.contains("metadata 'n\\u000aWARN forged\\u001b' not in proxy policy");
		assertNoControlCharacters();
	}

	/**
	 * TIMEOUT_UPDATE, PAYLOAD_LENGTH_HINT and TXCR_UPDATE before STREAMTYPE are ignored, as
	 * libwebsockets' proxy ignores them: a client sends one at most. Each was logged at INFO, so a
	 * hostile client writing them for the three seconds it has made a log line of every 7 bytes.
	 */
	@Test
	void framesIgnoredBeforeStreamTypeAreLoggedOncePerLink() throws Exception {
		java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
		for (int i = 0; i < 1000; i++) {
			frames.writeBytes(SsWire.toBytes(new ToProxy.TimeoutUpdate(i)));
		}
		try (SocketChannel link = this.harness.connectRaw()) {
			FrameReader.write(link, frames.toByteArray());
			FrameReader.write(link, HexFormat.of().parseHex(STREAMTYPE));
			assertThat(new FrameReader(link).next().type()).isEqualTo(0x56);
		}
		assertThat(this.logs.messages()).filteredOn((line) -> line.contains("before STREAMTYPE")).hasSize(1)
			.first().asString().contains("ignoring TIMEOUT_UPDATE before STREAMTYPE");
	}

	/**
	 * A client that closes its link in the middle of a frame (here a TX_PAYLOAD that announced
	 * more than it sent) loses that frame; the proxy said nothing of it above debug level.
	 */
	@Test
	void aLinkClosedInTheMiddleOfAFrameIsLoggedWithWhatWasLeft() throws Exception {
		try (SocketChannel link = this.harness.connectRaw()) {
			FrameReader.write(link, HexFormat.of().parseHex(STREAMTYPE));
			assertThat(new FrameReader(link).next().type()).isEqualTo(0x56);
			FrameReader.write(link, HexFormat.of().parseHex("ad03f8" + "00000001" + "00".repeat(12) + "616263"));
		}
		assertThat(this.logs.await("closed the link in the middle of a frame")).contains("ss proxy link", "(get)",
				"19 of 1016 body bytes of a TX_PAYLOAD frame dropped").doesNotContain("hanging up");
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.proxy.links().isEmpty());
	}

	private void assertNoControlCharacters() {
		assertThat(this.logs.messages()).allSatisfy((line) -> assertThat(line.chars())
			.as("control characters in %s", line)
			.noneMatch(Character::isISOControl));
	}

	/** Reads until the proxy closes the link; fails if it does not within 10 s. */
	private static void assertClosed(SocketChannel channel) throws Exception {
		channel.configureBlocking(true);
		Thread reader = Thread.currentThread();
		java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
		Thread watchdog = new Thread(() -> {
			try {
				Awaitility.await().atMost(Duration.ofSeconds(10)).untilTrue(done);
			}
			catch (org.awaitility.core.ConditionTimeoutException ex) {
				reader.interrupt();
			}
		});
		watchdog.start();
		ByteBuffer buffer = ByteBuffer.allocate(4096);
		try {
			while (channel.read(buffer) >= 0) {
				buffer.clear();
			}
		}
		catch (IOException ex) {
			// A reset also means closed, unless the watchdog interrupted us.
			assertThat(ex).isNotInstanceOf(java.nio.channels.ClosedByInterruptException.class);
		}
		finally {
			done.set(true);
			watchdog.join();
		}
	}

}
