package io.securestreams.protocol.h2;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.CallbackChecker;
import io.securestreams.testsupport.FrameByFrameH2Server;
import io.securestreams.testsupport.LoopbackNettyServers;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The response timeout of an h2 request counts from the request being sent: a request that waits
 * for a slot under the server's SETTINGS_MAX_CONCURRENT_STREAMS has not been sent, unless no slot
 * can free up.
 */
class H2QueuedRequestTimeoutTests {

	private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(1);

	@RegisterExtension
	final TestResources resources = new TestResources();

	// Closes the servers with their accepted connections; the client contexts close after this.
	@RegisterExtension
	final LoopbackNettyServers servers = new LoopbackNettyServers();

	private final Server jetty = new Server();

	@AfterEach
	void stopJetty() throws Exception {
		this.jetty.stop();
	}

	@Test
	void aRequestWaitingForAConcurrencySlotIsNotTimedUntilItIsSent() throws Exception {
		HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory(new HttpConfiguration());
		h2c.setMaxConcurrentStreams(1);
		ServerConnector connector = new ServerConnector(this.jetty, h2c);
		connector.setHost("127.0.0.1");
		connector.setPort(0);
		this.jetty.addConnector(connector);
		this.jetty.setHandler(new Handler.Abstract() {
			@Override
			public boolean handle(Request request, Response response, Callback callback) throws Exception {
				response.setStatus(200);
				if (request.getHttpURI().getPath().equals("/slow")) {
					// The head at once, the body three response timeouts later: the slot stays taken.
					try (Blocker.Callback head = Blocker.callback()) {
						response.write(false, BufferUtil.EMPTY_BUFFER, head);
						head.block();
					}
					Thread.sleep(3 * RESPONSE_TIMEOUT.toMillis());
				}
				Content.Sink.write(response, true, "done", callback);
				return true;
			}
		});
		this.jetty.start();
		PolicyFragment fragment = TestPolicies.base();
		int port = connector.getLocalPort();
		TestPolicies.h1(fragment.streamType("slow"), "127.0.0.1", port, "GET", "/slow")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2);
		TestPolicies.h1(fragment.streamType("quick"), "127.0.0.1", port, "GET", "/quick")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.limits(ProtocolLimits.DEFAULTS.withResponseTimeout(RESPONSE_TIMEOUT)));
		CallbackChecker slowChecker = new CallbackChecker();
		SecureStream slow = streams.create("slow", slowChecker);
		slow.requestTx();
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> slowChecker.states.contains(StreamState.CONNECTED));
		CallbackChecker quickChecker = new CallbackChecker();
		SecureStream quick = streams.create("quick", quickChecker);
		quick.requestTx();
		// Served once the slow stream gives the slot back, not failed for a response timeout
		// counted while it waited.
		Awaitility.await().atMost(Duration.ofSeconds(10))
			.until(() -> quickChecker.states.contains(StreamState.QOS_ACK_REMOTE)
					|| quickChecker.states.contains(StreamState.UNREACHABLE));
		assertThat(quickChecker.states).containsSubsequence(StreamState.CONNECTING, StreamState.CONNECTED,
				StreamState.QOS_ACK_REMOTE).doesNotContain(StreamState.UNREACHABLE);
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> slowChecker.states.contains(StreamState.QOS_ACK_REMOTE));
		assertThat(quickChecker.problems).isEmpty();
		assertThat(slowChecker.problems).isEmpty();
	}

	/**
	 * A server that allows no stream at all (SETTINGS_MAX_CONCURRENT_STREAMS 0) frees no slot: the
	 * request waits no longer than the response timeout, and the attempt fails.
	 */
	@Test
	void aRequestToAServerThatAllowsNoStreamFailsAfterTheResponseTimeout() throws Exception {
		List<String> served = new CopyOnWriteArrayList<>();
		int port = this.servers.start((index) -> new FrameByFrameH2Server() {
			@Override
			protected Http2Settings settings() {
				return new Http2Settings().maxConcurrentStreams(0);
			}

			@Override
			protected void onRequest(ChannelHandlerContext ctx, int streamId, Http2Headers headers) {
				served.add(String.valueOf(headers.path()));
			}
		});
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("none"), "127.0.0.1", port, "GET", "/none")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2)
			.set(StreamTypeKey.RETRY, null);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.limits(ProtocolLimits.DEFAULTS.withResponseTimeout(RESPONSE_TIMEOUT)));
		CallbackChecker checker = new CallbackChecker();
		streams.create("none", checker).requestTx();
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> checker.states.contains(StreamState.ALL_RETRIES_FAILED));
		assertThat(served).isEmpty();
		assertThat(checker.problems).isEmpty();
	}

}
