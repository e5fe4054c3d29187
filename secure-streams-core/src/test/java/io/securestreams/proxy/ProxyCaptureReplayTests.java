package io.securestreams.proxy;

import java.net.InetAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.StandardProtocolFamily;
import java.util.ArrayList;
import java.util.List;

import io.securestreams.SecureStreams;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.json.PolicyParser;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.TestResources;
import io.securestreams.testsupport.WireCapture;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden test: our proxy, fed the client half of the real C client/proxy capture over a socket
 * (paced as in the capture), answers with the proxy half's frame sequence, timing fields aside.
 */
class ProxyCaptureReplayTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final WireCapture capture = WireCapture.load("wire1-http-post.log");

	@TempDir
	Path temp;

	private MockWebServer server;

	private SecureStreams context;

	private SecureStreamsProxy proxy;

	@Test
	void proxyAnswersTheCapturedClientWithTheCapturedFrames() throws Exception {
		this.server = this.resources.closing(new MockWebServer());
		this.server.setDispatcher(new Dispatcher() {
			@Override
			public MockResponse dispatch(RecordedRequest request) {
				boolean expected = request.getMethod().equals("POST") && request.getTarget().equals("/bytes/300");
				return expected ? new MockResponse.Builder().body("A".repeat(300)).build()
						: new MockResponse.Builder().code(404).build();
			}
		});
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		Path policyFile = Path.of(getClass().getResource("/fixtures/sspc-wire/proxy-policy-http-post.json").toURI());
		Policy captured = new PolicyParser().parse(policyFile).policy();
		PolicyFragment local = new PolicyFragment();
		local.streamType("minpost").set(StreamTypeKey.PORT, this.server.getPort());
		this.context = this.resources.start(SecureStreams.builder(local.applyTo(captured)).eventLoopThreads(1));
		Path socket = this.temp.resolve("proxy.ss.lws");
		this.proxy = this.resources.closing(SecureStreamsProxy.builder(this.context)
			.listen(ProxyAddress.parse("+" + socket))
			.start());

		List<FrameReader.Frame> expected = frames(this.capture.bytes(false));
		List<FrameReader.Frame> received = new ArrayList<>();
		try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			client.connect(UnixDomainSocketAddress.of(socket));
			FrameReader reader = new FrameReader(client);
			// Pace the client as the capture does: each of its writes follows the proxy frames before it.
			for (WireCapture.Chunk chunk : this.capture.conversation()) {
				if (chunk.fromClient()) {
					FrameReader.write(client, chunk.bytes());
				}
				else {
					for (int i = frames(chunk.bytes()).size(); i > 0; i--) {
						received.add(reader.next());
					}
				}
			}
		}
		assertThat(received).hasSameSizeAs(expected).hasSize(9);
		for (int i = 0; i < expected.size(); i++) {
			FrameReader.Frame want = expected.get(i);
			FrameReader.Frame got = received.get(i);
			assertThat(got.type()).as("type of frame %d", i).isEqualTo(want.type());
			if (want.type() == 0x55) {
				// flags and latency as captured; the proxy's monotonic time differs; then the payload.
				assertThat(FrameReader.range(got.body(), 0, 8)).as("frame %d", i)
					.isEqualTo(FrameReader.range(want.body(), 0, 8));
				assertThat(FrameReader.range(got.body(), 16, got.body().length)).as("payload of frame %d", i)
					.isEqualTo(FrameReader.range(want.body(), 16, want.body().length));
			}
			else {
				assertThat(got.bytes()).as("frame %d (%s)", i, want).isEqualTo(want.bytes());
			}
		}
		RecordedRequest request = this.server.takeRequest();
		assertThat(request.getHeaders().get("Content-Type")).isEqualTo("multipart/form-data;boundary=\"boundary\"");
		assertThat(request.getHeaders().get("Content-Length")).isEqualTo("5970");
		assertThat(request.getBody().utf8()).startsWith("--boundary\r\nContent-Disp").hasSize(5970);
		assertThat(Files.exists(socket)).isTrue();
	}

	private static List<FrameReader.Frame> frames(byte[] bytes) {
		List<FrameReader.Frame> frames = new ArrayList<>();
		int at = 0;
		while (at + 3 <= bytes.length) {
			int length = ((bytes[at + 1] & 0xff) << 8) | (bytes[at + 2] & 0xff);
			frames.add(new FrameReader.Frame(bytes[at] & 0xff, FrameReader.range(bytes, at + 3, at + 3 + length)));
			at += 3 + length;
		}
		return frames;
	}

}
