package io.securestreams.boot.actuate.endpoint;

import java.net.InetAddress;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.boot.actuate.endpoint.SecureStreamsEndpoint.StreamDescriptor;
import io.securestreams.boot.actuate.endpoint.SecureStreamsEndpoint.StreamTypeStreamsDescriptor;
import io.securestreams.boot.actuate.endpoint.SecureStreamsEndpoint.StreamsDescriptor;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.smd.SmdClass;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SecureStreamsEndpoint}.
 */
class SecureStreamsEndpointTests {

	private final MockWebServer server = new MockWebServer();

	private SecureStreams streams;

	@BeforeEach
	void start() throws Exception {
		this.server.setDispatcher(new HttpbinDispatcher());
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("bytes"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/100");
		TestPolicies.h1(fragment.streamType("idle"), "127.0.0.1", this.server.getPort(), "GET", "/");
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(1).build();
	}

	@AfterEach
	void stop() {
		this.streams.close();
		this.server.close();
	}

	@Test
	void listsEveryStreamAndSummarizesEveryStreamType() {
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.create("bytes", handler);
		stream.requestTx();
		Awaitility.await().until(() -> handler.states.contains(StreamState.QOS_ACK_REMOTE));
		StreamsDescriptor descriptor = new SecureStreamsEndpoint(this.streams).streams();
		assertThat(descriptor.streams()).singleElement().satisfies((described) -> {
			assertThat(described.id()).isEqualTo(stream.id());
			assertThat(described.streamType()).isEqualTo("bytes");
			assertThat(described.role()).isEqualTo("CLIENT");
			assertThat(described.state()).isEqualTo("QOS_ACK_REMOTE");
			assertThat(described.bytesIn()).isEqualTo(100);
			assertThat(described.timeInStateMillis()).isNotNegative();
			assertThat(described.peer()).contains("127.0.0.1");
			assertThat(described.httpStatus()).isEqualTo(200);
			assertThat(described.listenerId()).isNull();
		});
		assertThat(descriptor.streamTypes()).containsOnlyKeys("bytes", "idle");
		assertThat(descriptor.streamTypes().get("bytes").streams()).isEqualTo(1);
		assertThat(descriptor.streamTypes().get("bytes").states()).containsEntry("QOS_ACK_REMOTE", 1);
		assertThat(descriptor.streamTypes().get("bytes").bytesIn()).isEqualTo(100);
		assertThat(descriptor.streamTypes().get("idle").streams()).isZero();
		assertThat(descriptor.streamTypes().get("idle").protocol()).isEqualTo("h1");
	}

	@Test
	void selectsOneStreamType() {
		this.streams.create("idle", new RecordingHandler());
		this.streams.create("bytes", new RecordingHandler());
		StreamTypeStreamsDescriptor idle = new SecureStreamsEndpoint(this.streams).streamType("idle");
		assertThat(idle.name()).isEqualTo("idle");
		assertThat(idle.summary().streams()).isEqualTo(1);
		assertThat(idle.streams()).extracting(StreamDescriptor::streamType).containsExactly("idle");
		assertThat(new SecureStreamsEndpoint(this.streams).streamType("unknown")).isNull();
	}

	@Test
	void systemMessageStreamsHaveTheirOwnSummary() {
		SecureStreamsEndpoint endpoint = new SecureStreamsEndpoint(this.streams);
		assertThat(endpoint.streams().streamTypes()).doesNotContainKey("_lws_smd");
		this.streams.createSmd(SmdClass.NETWORK, new RecordingHandler());
		StreamsDescriptor descriptor = endpoint.streams();
		assertThat(descriptor.streams()).extracting(StreamDescriptor::streamType).contains("_lws_smd");
		assertThat(descriptor.streamTypes().get("_lws_smd").protocol()).isEqualTo("smd");
		assertThat(descriptor.streamTypes().get("_lws_smd").streams()).isEqualTo(1);
		StreamTypeStreamsDescriptor smd = endpoint.streamType("_lws_smd");
		assertThat(smd.summary().streams()).isEqualTo(1);
		assertThat(smd.streams()).extracting(StreamDescriptor::streamType).containsExactly("_lws_smd");
	}

}
