package io.securestreams.protocol.h2;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.FrameByFrameH2Server;
import io.securestreams.testsupport.LoopbackNettyServers;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RST_STREAM with REFUSED_STREAM from an h2 server written frame by frame: the server did not
 * process the request (RFC 9113 section 8.7), so it is sent again on another h2 stream without
 * the stream seeing it, unless the application already gave the request's payload, and only
 * {@link H2Exchange#MAX_MOVES} times in a row. The streamtypes have no retry policy, so a failed
 * attempt is final.
 */
class H2RefusedStreamTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final List<String> FAILED = List.of("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
			"ALL_RETRIES_FAILED");

	@RegisterExtension
	final TestResources resources = new TestResources();

	@RegisterExtension
	final LoopbackNettyServers servers = new LoopbackNettyServers();

	private final List<String> requests = new CopyOnWriteArrayList<>();

	@Test
	void aRefusedRequestIsSentAgainUnseen() throws Exception {
		SecureStreams streams = start(refusing(1), "GET");
		RecordingHandler handler = new RecordingHandler();
		streams.create("cli", handler).requestTx();
		// Without the move the attempt fails, and without retries the stream gives up.
		Awaitility.await().atMost(WAIT).until(() -> handler.states.contains(StreamState.DISCONNECTED)
				|| handler.states.contains(StreamState.ALL_RETRIES_FAILED));
		assertThat(handler.stateNames()).isEqualTo(List.of("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE", "DISCONNECTED"));
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("hello");
		// Refused, then answered, on the connection that refused it (which stays usable).
		assertThat(this.requests).containsExactly("refused", "answered");
		assertThat(this.servers.connections()).isEqualTo(1);
		this.resources.guard().assertNoViolations();
	}

	@Test
	void aServerThatRefusesEveryRequestFailsTheAttemptAfterTheLastMove() throws Exception {
		SecureStreams streams = start(refusing(Integer.MAX_VALUE), "GET");
		RecordingHandler handler = new RecordingHandler();
		streams.create("cli", handler).requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).isEqualTo(FAILED);
		assertThat(this.requests).hasSize(H2Exchange.MAX_MOVES + 1).containsOnly("refused");
		this.resources.guard().assertNoViolations();
	}

	/**
	 * The body came from {@code onTx} before the refusal: sending the request again unseen would
	 * ask {@code onTx} for a body it already gave, so the attempt fails (as any lost one) and the
	 * retry rules decide, which tells the application to start its message again.
	 */
	@Test
	void aRefusedRequestWhoseBodyWasGivenFailsTheAttempt() throws Exception {
		SecureStreams streams = start(refusing(1), "POST");
		RecordingHandler handler = new RecordingHandler().send("body".getBytes(StandardCharsets.US_ASCII), 1000);
		streams.create("cli", handler).requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).isEqualTo(FAILED);
		assertThat(this.requests).containsExactly("refused");
		this.resources.guard().assertNoViolations();
	}

	/**
	 * Returns a server that refuses its first {@code count} requests and answers the others.
	 * @param count how many to refuse
	 * @return the port
	 */
	private int refusing(int count) throws InterruptedException {
		return this.servers.start((index) -> new FrameByFrameH2Server() {
			@Override
			protected Http2Settings settings() {
				return new Http2Settings();
			}

			@Override
			protected void onRequest(ChannelHandlerContext ctx, int streamId, Http2Headers headers) {
				List<String> seen = H2RefusedStreamTests.this.requests;
				if (seen.size() < count) {
					seen.add("refused");
					writer().writeRstStream(ctx, streamId, Http2Error.REFUSED_STREAM.code(), ctx.newPromise());
					ctx.flush();
					return;
				}
				seen.add("answered");
				answerHello(ctx, streamId);
			}
		});
	}

	private SecureStreams start(int port, String method) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("cli"), "127.0.0.1", port, method, "/x")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2)
			.set(StreamTypeKey.RETRY, null);
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
	}

}
