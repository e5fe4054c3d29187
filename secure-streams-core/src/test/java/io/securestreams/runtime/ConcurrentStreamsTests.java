package io.securestreams.runtime;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TransitionGuard;
import org.awaitility.Awaitility;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 1,000 concurrent streams each doing 20 GETs against one Jetty server, under paranoid leak
 * detection: every transaction succeeds and nothing leaks.
 */
class ConcurrentStreamsTests {

	private static final int STREAMS = 1000;

	private static final int GETS = 20;

	@Test
	void thousandStreamsDoTwentyGetsEachWithoutFailures() throws Exception {
		Server jetty = new Server();
		ServerConnector connector = new ServerConnector(jetty);
		connector.setHost("127.0.0.1");
		connector.setPort(0);
		connector.setAcceptQueueSize(2048);
		jetty.addConnector(connector);
		jetty.setHandler(new Handler.Abstract() {
			@Override
			public boolean handle(Request request, Response response, Callback callback) {
				response.setStatus(200);
				Content.Sink.write(response, true, "ok " + Request.getPathInContext(request), callback);
				return true;
			}
		});
		jetty.start();
		TransitionGuard guard = new TransitionGuard();
		AtomicInteger acks = new AtomicInteger();
		List<String> problems = new ArrayList<>();
		ConcurrentHashMap<Long, AtomicInteger> perStream = new ConcurrentHashMap<>();
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("load"), "127.0.0.1", connector.getLocalPort(), "GET", "/load");
		try (SecureStreams streams = SecureStreams.builder(fragment.build()).eventLoopThreads(2).listener(guard)
			.build()) {
			StreamHandler handler = new StreamHandler() {
				@Override
				public StreamResult onState(SecureStream stream, StreamState state, long ack) {
					if (state == StreamState.QOS_ACK_REMOTE) {
						acks.incrementAndGet();
						if (perStream.computeIfAbsent(stream.id(), (id) -> new AtomicInteger())
							.incrementAndGet() < GETS) {
							stream.requestTx();
						}
					}
					else if (state == StreamState.QOS_NACK_REMOTE || state == StreamState.UNREACHABLE
							|| state == StreamState.ALL_RETRIES_FAILED) {
						synchronized (problems) {
							problems.add(stream.id() + ": " + state);
						}
					}
					return StreamResult.OK;
				}

				@Override
				public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
					return StreamResult.OK;
				}
			};
			for (int i = 0; i < STREAMS; i++) {
				streams.create("load", handler).requestTx();
			}
			Awaitility.await().atMost(Duration.ofMinutes(3)).until(() -> acks.get() == STREAMS * GETS);
			assertThat(streams.streams()).hasSize(STREAMS);
		}
		finally {
			jetty.stop();
		}
		assertThat(problems).isEmpty();
		assertThat(perStream.values()).allMatch((count) -> count.get() == GETS);
		guard.assertNoViolations();
	}

}
