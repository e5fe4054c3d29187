package io.securestreams.proxy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.ProxyUnderTest;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Metadata the proxy refuses by closing the link (a name its policy does not declare, a header
 * value with a line break): the proxied client re-sends every value on each new link, so without
 * giving up on such a value the stream would lose a link a second for good and never connect.
 */
class ProxiedRefusedMetadataTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@TempDir
	Path temp;

	private MockWebServer server;

	private ProxyUnderTest harness;

	@BeforeEach
	void start() throws Exception {
		this.server = new MockWebServer();
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", this.server.getPort(), "GET", "/get")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "x-tag:")));
		this.harness = new ProxyUnderTest(fragment.build(), this.temp);
	}

	@AfterEach
	void stop() {
		this.harness.close();
		this.server.close();
	}

	@Test
	void anUndeclaredNameSetAfterATakenOneIsGivenUpAfterThreeClosedLinks() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("one").build());
		this.server.enqueue(new MockResponse.Builder().body("two").build());
		RecordingHandler handler = new RecordingHandler();
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy")) {
			SecureStream stream = this.harness.client().create("get", handler);
			stream.setMetadata("tag", "kept");
			stream.requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(this.server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("x-tag")).isEqualTo("kept");
			stream.setMetadata("undeclared", "1");
			stream.requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
			assertThat(logs.await("the proxy closed 3 links in a row right after metadata 'undeclared'"))
				.contains("no longer sent");
			assertThat(logs.messages()).filteredOn((line) -> line.contains("metadata 'undeclared' not in proxy policy"))
				.hasSize(3);
			// The value the proxy took goes on every new link, and is never a suspect.
			RecordedRequest second = this.server.takeRequest(5, TimeUnit.SECONDS);
			assertThat(second).isNotNull();
			assertThat(second.getHeaders().get("x-tag")).isEqualTo("kept");
			assertThat(stream.metadata("undeclared")).isEqualTo("1");
			assertThat(handler.states).doesNotContain(StreamState.DESTROYING);
		}
	}

	@Test
	void severalSuspectsAreNamedOnceAndStillSent() throws Exception {
		RecordingHandler handler = new RecordingHandler();
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy")) {
			SecureStream stream = this.harness.client().create("get", handler);
			stream.setMetadata("tag", "fine");
			stream.setMetadata("undeclared", "1");
			stream.requestTx();
			assertThat(logs.await("right after metadata [tag, undeclared] was sent")).contains("does not say which");
			// Failing closed: the request never goes out without values it may need.
			Awaitility.await().atMost(WAIT).until(() -> logs.messages().stream()
				.filter((line) -> line.contains("metadata 'undeclared' not in proxy policy")).count() >= 6);
			assertThat(this.server.getRequestCount()).isZero();
			assertThat(logs.messages()).filteredOn((line) -> line.contains("right after metadata")).hasSize(1);
			assertThat(handler.states).containsExactly(StreamState.CREATING);
			stream.destroy();
		}
	}

	@Test
	void aHeaderValueWithALineBreakIsGivenUpAndAValueSetAfterwardsIsSent() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("one").build());
		this.server.enqueue(new MockResponse.Builder().body("two").build());
		RecordingHandler handler = new RecordingHandler();
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy")) {
			SecureStream stream = this.harness.client().create("get", handler);
			stream.setMetadata("tag", "a\r\nx-injected: 1");
			stream.requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			logs.await("right after metadata 'tag'");
			RecordedRequest first = this.server.takeRequest(5, TimeUnit.SECONDS);
			assertThat(first).isNotNull();
			assertThat(first.getHeaders().get("x-tag")).isNull();
			assertThat(first.getHeaders().get("x-injected")).isNull();
			stream.setMetadata("tag", "fine");
			stream.requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
			RecordedRequest second = this.server.takeRequest(5, TimeUnit.SECONDS);
			assertThat(second).isNotNull();
			assertThat(second.getHeaders().get("x-tag")).isEqualTo("fine");
		}
	}

}
