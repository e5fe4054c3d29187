package io.securestreams.protocol.h2;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Metadata headers that h2 forbids or spells differently: connection-specific headers are left
 * out of the h2 request (RFC 9113 section 8.2.2) and names go out in lower case, so the server
 * accepts the request; a header list beyond the server's limit fails the attempt with a reason.
 */
class H2RequestHeaderTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void connectionSpecificMetadataHeadersAreLeftOutAndNamesAreLowerCase() throws Exception {
		MockWebServer server = H2TestServers.h2(this.resources);
		server.enqueue(new MockResponse.Builder().body("ok").build());
		PolicyFragment fragment = TestPolicies.base();
		H2TestServers.policy(fragment.streamType("t"), server, "GET", "/x")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("conn", "Connection:"),
					new MetadataDeclaration("ka", "Keep-Alive:"), new MetadataDeclaration("up", "Upgrade:"),
					new MetadataDeclaration("te", "TE:"), new MetadataDeclaration("tag", "X-Device-TAG:")));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.create("t", handler);
		stream.setMetadata("conn", "keep-alive");
		stream.setMetadata("ka", "timeout=5");
		stream.setMetadata("up", "h2c");
		stream.setMetadata("te", "gzip");
		stream.setMetadata("tag", "blue");
		stream.requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(handler.stateNames()).contains("QOS_ACK_REMOTE");
		RecordedRequest request = server.takeRequest();
		assertThat(request.getHeaders().get("x-device-tag")).isEqualTo("blue");
		assertThat(request.getHeaders().names()).doesNotContain("connection", "keep-alive", "upgrade", "te");
	}

	/**
	 * Jetty announces its request header limit as SETTINGS_MAX_HEADER_LIST_SIZE, and Netty's codec
	 * refuses to send a request beyond it. The attempt fails (the server sees nothing) and a WARN
	 * line says why, naming the streamtype; the connection serves the next request.
	 */
	@Test
	void aRequestBeyondTheServersHeaderListLimitFailsWithAReason() throws Exception {
		Server jetty = new Server();
		HttpConfiguration config = new HttpConfiguration();
		config.setRequestHeaderSize(1024);
		ServerConnector connector = new ServerConnector(jetty, new HTTP2CServerConnectionFactory(config));
		connector.setHost("127.0.0.1");
		connector.setPort(0);
		jetty.addConnector(connector);
		List<String> served = new CopyOnWriteArrayList<>();
		jetty.setHandler(new Handler.Abstract() {
			@Override
			public boolean handle(Request request, Response response, Callback callback) {
				served.add(request.getHeaders().get("x-tag"));
				Content.Sink.write(response, true, "ok", callback);
				return true;
			}
		});
		jetty.start();
		try {
			LogCapture logs = this.resources.closing(new LogCapture());
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.h1(fragment.streamType("tagged"), "127.0.0.1", connector.getLocalPort(), "GET", "/x")
				.set(StreamTypeKey.PROTOCOL, Protocol.H2)
				.set(StreamTypeKey.RETRY, null)
				.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "x-tag:")));
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
			RecordingHandler handler = new RecordingHandler();
			SecureStream stream = streams.create("tagged", handler);
			stream.setMetadata("tag", "t".repeat(4000));
			stream.requestTx();
			handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
			assertThat(logs.warnings()).anySatisfy((line) -> assertThat(line)
				.contains("h2 request to 127.0.0.1:" + connector.getLocalPort() + " for streamtype 'tagged' could not "
						+ "be sent")
				.contains("Header size exceeded"));
			RecordingHandler small = new RecordingHandler();
			SecureStream next = streams.create("tagged", small);
			next.setMetadata("tag", "short");
			next.requestTx();
			small.await(StreamState.DISCONNECTED, WAIT);
			assertThat(small.stateNames()).contains("QOS_ACK_REMOTE");
			assertThat(served).containsExactly("short");
		}
		finally {
			jetty.stop();
		}
	}

	@Test
	void aResponseWithTrailersEndsWithEomAndItsResult() throws Exception {
		MockWebServer server = H2TestServers.h2(this.resources);
		server.enqueue(new MockResponse.Builder().body("with trailers")
			.trailers(okhttp3.Headers.of("x-checksum", "abc"))
			.build());
		PolicyFragment fragment = TestPolicies.base();
		H2TestServers.policy(fragment.streamType("t"), server, "GET", "/x");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		RecordingHandler handler = new RecordingHandler();
		streams.create("t", handler).requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE", "DISCONNECTED");
		assertThat(new String(handler.received(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("with trailers");
		assertThat(handler.rxFlags).containsExactly(io.securestreams.StreamFlags.SOM, io.securestreams.StreamFlags.EOM);
	}

}
