package io.securestreams.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.proxy.wire.SsMessage;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.ProxyUnderTest;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that never reads but keeps asking for transactions whose answers carry no payload
 * (only states and response-header metadata, which the rx check of {@code proxy_buflen} does not
 * see): what the proxy holds for it must stay bounded.
 */
class ProxyUnreadLinkBoundTests {

	private static final long PROXY_BUFLEN = 4096;

	// 4000 bytes of response header captured as metadata: a 4 KiB METADATA frame per transaction.
	private static final String BIG = "text/" + "x".repeat(3995);

	// What the proxy may hold for its client: twice its buffer and 64 KiB, and what the
	// transaction that passed that queued (and another's answer read in the same event-loop run).
	private static final long LIMIT = 2 * PROXY_BUFLEN + 64 * 1024 + 2 * (BIG.length() + 64);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@TempDir
	Path temp;

	private ProxyUnderTest harness;

	private CapturedLogs logs;

	@BeforeEach
	void start() throws Exception {
		this.logs = new CapturedLogs("io.securestreams.proxy");
		MockWebServer server = this.resources.mockWebServer();
		server.setDispatcher(new Dispatcher() {
			@Override
			public MockResponse dispatch(RecordedRequest request) {
				return new MockResponse.Builder().code(200).addHeader("Content-Type", BIG).body("").build();
			}
		});
		PolicyFragment fragment = TestPolicies.base();
		fragment.streamType("headers")
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, server.getPort())
			.set(StreamTypeKey.HTTP_METHOD, "GET")
			.set(StreamTypeKey.HTTP_URL, "/")
			.set(StreamTypeKey.OPPORTUNISTIC, true)
			.set(StreamTypeKey.RETRY, "fast")
			.set(StreamTypeKey.PROXY_BUFLEN, PROXY_BUFLEN)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("ctype", "content-type:")));
		this.harness = this.resources.closing(new ProxyUnderTest(fragment.build(), this.temp));
	}

	@AfterEach
	void stop() {
		this.logs.close();
	}

	private static byte[] frames(SsMessage... messages) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (SsMessage message : messages) {
			out.writeBytes(SsWire.toBytes(message));
		}
		return out.toByteArray();
	}

	@Test
	void aClientThatNeverReadsButKeepsAskingIsHungUpBeforeItsFramesPassTwiceTheBuffer() throws Exception {
		AtomicLong peak = new AtomicLong();
		try (SocketChannel link = this.harness.connectRaw()) {
			FrameReader.write(link, frames(new ToProxy.StreamType(1, 42, SsWire.DEFAULT_INITIAL_TX_CREDIT,
					"headers")));
			Awaitility.await().until(() -> !this.harness.proxy().links().isEmpty());
			byte[] next = frames(new ToProxy.OnwardConnect());
			// Each ONWARD_CONNECT that lands after a transaction ended starts the next one; the
			// others are ignored. The socket's own buffers take a few hundred KiB first.
			Awaitility.await("the proxy hangs up a client that does not read")
				.atMost(Duration.ofSeconds(60))
				.failFast("more than twice proxy_buflen held for the client", () -> peak.get() > LIMIT)
				.until(() -> {
					List<ProxyLinkInfo> links = this.harness.proxy().links();
					links.forEach((info) -> peak.accumulateAndGet(info.peakBufferedBytes(), Math::max));
					if (links.isEmpty()) {
						return true;
					}
					FrameReader.write(link, next);
					return false;
				});
		}
		assertThat(this.logs.await("hanging up", "does not read")).contains("headers");
		assertThat(peak.get()).isLessThanOrEqualTo(LIMIT);
	}

}
