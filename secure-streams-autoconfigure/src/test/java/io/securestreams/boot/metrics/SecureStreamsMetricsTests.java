package io.securestreams.boot.metrics;

import java.net.InetAddress;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamEventListener;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SecureStreamsMetrics}.
 */
class SecureStreamsMetricsTests {

	private final MockWebServer server = new MockWebServer();

	private SecureStreams streams;

	@AfterEach
	void stop() {
		this.streams.close();
		this.server.close();
	}

	@Test
	void countsConnectionsStatesBytesAndTransactionsPerStreamType() throws Exception {
		this.server.setDispatcher(new HttpbinDispatcher());
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("bytes"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/64");
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(1).build();
		SecureStreamsMetrics metrics = new SecureStreamsMetrics(this.streams);
		MeterRegistry registry = new SimpleMeterRegistry();
		RecordingHandler early = new RecordingHandler();
		this.streams.create("bytes", early);
		metrics.bindTo(registry);
		assertThat(registry.get("securestreams.state.changes").tags("streamtype", "bytes", "state", "CREATING")
			.functionCounter()
			.count()).isEqualTo(1);
		for (int i = 0; i < 2; i++) {
			RecordingHandler handler = new RecordingHandler();
			SecureStream stream = this.streams.create("bytes", handler);
			stream.requestTx();
			Awaitility.await().until(() -> handler.states.contains(StreamState.QOS_ACK_REMOTE));
			stream.destroy();
			// The gauge below counts streams still in the context; DESTROYING comes just before
			// the stream leaves it.
			assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(10));
		}
		assertThat(registry.get("securestreams.connections").tag("streamtype", "bytes").functionCounter().count())
			.isEqualTo(2);
		assertThat(registry.get("securestreams.state.changes").tags("streamtype", "bytes", "state", "CREATING")
			.functionCounter()
			.count()).isEqualTo(3);
		assertThat(registry.get("securestreams.bytes").tags("streamtype", "bytes", "direction", "in")
			.functionCounter()
			.count()).isEqualTo(128);
		assertThat(registry.get("securestreams.transactions").tags("streamtype", "bytes", "result", "QOS_ACK_REMOTE")
			.timer()
			.count()).isEqualTo(2);
		assertThat(registry.get("securestreams.streams").tag("streamtype", "bytes").gauge().value()).isEqualTo(1);
		assertThat(registry.get("securestreams.retries").tag("streamtype", "bytes").functionCounter().count()).isZero();
	}

	@Test
	void metersOfAStreamTypeSeenAfterBindingGoToEveryBoundRegistry() throws Exception {
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("bytes"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/64");
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(1).build();
		SecureStreamsMetrics metrics = new SecureStreamsMetrics(this.streams);
		MeterRegistry first = new SimpleMeterRegistry();
		MeterRegistry second = new SimpleMeterRegistry();
		metrics.bindTo(first);
		metrics.bindTo(second);
		this.streams.create("bytes", new RecordingHandler());
		for (MeterRegistry registry : java.util.List.of(first, second)) {
			Awaitility.await()
				.untilAsserted(() -> assertThat(registry.find("securestreams.state.changes")
					.tags("streamtype", "bytes", "state", "CREATING")
					.functionCounter()).isNotNull());
			assertThat(registry.get("securestreams.streams").tag("streamtype", "bytes").gauge().value()).isEqualTo(1);
		}
	}

	@Test
	void bytesCounterNeverGoesBackWhileAStreamLeavesTheContext() throws Exception {
		this.server.setDispatcher(new HttpbinDispatcher());
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("bytes"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/64");
		MeterRegistry registry = new SimpleMeterRegistry();
		java.util.List<Double> seenOnDestroy = new java.util.concurrent.CopyOnWriteArrayList<>();
		// Registered before the metrics' listener: it reads the counter between the stream
		// leaving the context and the metrics accounting for its bytes, as a scrape may.
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(1).listener(new StreamEventListener() {

			@Override
			public void destroyed(SecureStream stream) {
				seenOnDestroy.add(registry.get("securestreams.bytes").tags("streamtype", "bytes", "direction", "in")
					.functionCounter()
					.count());
			}

		}).build();
		new SecureStreamsMetrics(this.streams).bindTo(registry);
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.create("bytes", handler);
		stream.requestTx();
		Awaitility.await().until(() -> handler.states.contains(StreamState.QOS_ACK_REMOTE));
		assertThat(registry.get("securestreams.bytes").tags("streamtype", "bytes", "direction", "in")
			.functionCounter()
			.count()).isEqualTo(64);
		stream.destroy();
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(10));
		assertThat(seenOnDestroy).containsExactly(64.0);
	}

}
