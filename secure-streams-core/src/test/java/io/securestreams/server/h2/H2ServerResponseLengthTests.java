package io.securestreams.server.h2;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Settings;
import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RawH2Client;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A handler that announces a response length with {@code requestTxLen} and ends the body (EOM)
 * before it: the client was promised more, so the h2 stream is reset (CANCEL) after what was
 * written, with an error naming both lengths, and the connection serves the next request.
 */
class H2ServerResponseLengthTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final LogCapture logs = this.resources.closing(new LogCapture());

	private final EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	@AfterEach
	void stopClient() {
		this.clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
	}

	/** Announces 10 bytes for {@code /long} and 5 for anything else, and writes "hello" with EOM. */
	private static final class ShortBody implements StreamHandler {

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			if (state == StreamState.SERVER_TXN) {
				stream.serverAck(200);
				stream.requestTxLen("/long".equals(stream.metadata("path")) ? 10 : 5);
			}
			return StreamResult.OK;
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			slot.write("hello".getBytes(StandardCharsets.US_ASCII));
			slot.flags(StreamFlags.SOM | StreamFlags.EOM);
			return StreamResult.OK;
		}

	}

	@Test
	void aBodyEndingBeforeItsAnnouncedLengthResetsOnlyItsStream() throws Exception {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("srv"), Protocol.H2, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.limits(ProtocolLimits.DEFAULTS.withHandshakeTimeout(WAIT)));
		SecureStream listener = streams.create("srv", new ShortBody());
		RawH2Client client = RawH2Client.connect(this.clientLoop, listener.localAddress(), new Http2Settings(), true);
		Awaitility.await().atMost(WAIT).until(() -> client.events.contains("SETTINGS"));
		int id = client.get("/long");
		Awaitility.await().atMost(WAIT).until(() -> client.events.stream().anyMatch((e) -> e.startsWith("RST " + id)));
		assertThat(client.events).containsSubsequence("HEADERS " + id + " 200 end=false",
				"RST " + id + " " + Http2Error.CANCEL.code());
		assertThat(this.logs.messages()).anySatisfy((line) -> assertThat(line)
			.contains("the response body ended (EOM) after 5 of the 10 bytes announced"));
		// The five bytes written went out before the reset; the next answer brings five more.
		int next = client.get("/ok");
		Awaitility.await().atMost(WAIT).until(() -> client.events.contains("HEADERS " + next + " 200 end=false"));
		Awaitility.await().atMost(WAIT).until(() -> client.dataBytes.get() == 10);
		Awaitility.await().atMost(WAIT).until(() -> listener.acceptedStreams().isEmpty());
		assertThat(client.events).noneMatch((e) -> e.startsWith("GOAWAY") || e.startsWith("RST " + next))
			.doesNotContain("CLOSED");
	}

}
