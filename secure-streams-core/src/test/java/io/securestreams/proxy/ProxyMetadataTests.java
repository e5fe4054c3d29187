package io.securestreams.proxy;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.ProxyUnderTest;
import io.securestreams.testsupport.TestPolicies;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Response-header metadata the proxy passes on to its client (reference §7.4, METADATA 0x59):
 * only what the client's deserializer accepts, a body of at least 3 bytes.
 */
class ProxyMetadataTests {

	@TempDir
	Path temp;

	private MockWebServer server;

	private ProxyUnderTest harness;

	@BeforeEach
	void start() throws Exception {
		this.server = new MockWebServer();
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", this.server.getPort(), "GET", "/headers")
			.set(StreamTypeKey.METADATA,
					List.of(new MetadataDeclaration("a", "x-a:"), new MetadataDeclaration("bb", "x-bb:")));
		this.harness = new ProxyUnderTest(fragment.build(), this.temp);
	}

	@AfterEach
	void stop() {
		this.harness.close();
		this.server.close();
	}

	// A 1-byte name with an empty value would make a 2-byte frame, which clients hang up on.
	@Test
	void anEmptyHeaderUnderAOneByteNameIsNotPassedOn() throws Exception {
		this.server.enqueue(new MockResponse.Builder().addHeader("x-a", "").addHeader("x-bb", "").body("hi").build());
		List<byte[]> metadata = new ArrayList<>();
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy");
				SocketChannel link = this.harness.connectRaw()) {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			out.writeBytes(SsWire.toBytes(new ToProxy.StreamType(1, 42, SsWire.DEFAULT_INITIAL_TX_CREDIT, "get")));
			out.writeBytes(SsWire.toBytes(new ToProxy.OnwardConnect()));
			FrameReader.write(link, out.toByteArray());
			FrameReader reader = new FrameReader(link);
			FrameReader.Frame frame = reader.next();
			while (!(frame.type() == 0x57 && frame.state() == StreamState.DISCONNECTED.value())) {
				if (frame.type() == 0x59) {
					metadata.add(frame.body());
				}
				frame = reader.next();
			}
			// The 2-byte name with an empty value fits (3 bytes) and goes as it is.
			assertThat(metadata).containsExactly(new byte[] { 2, 'b', 'b' });
			assertThat(logs.await("not passing on metadata 'a' with an empty value")).contains("2 bytes");
		}
	}

}
