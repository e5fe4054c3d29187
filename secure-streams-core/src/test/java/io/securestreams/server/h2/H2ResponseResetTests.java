package io.securestreams.server.h2;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Settings;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.RawH2Client;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A response the server gives up on (its body ended before the length it announced) is reset,
 * also when the client's request ended long before (a GET), and the connection goes on.
 */
class H2ResponseResetTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	@AfterEach
	void stopClient() {
		this.clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
	}

	@Test
	void aResponseEndedBeforeItsAnnouncedLengthResetsTheStreamOfAnEndedRequest() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H2, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		ShortBody handler = new ShortBody();
		SecureStream listener = streams.create("srv", handler);
		RawH2Client client = RawH2Client.connect(this.clientLoop, listener.localAddress(), new Http2Settings(), true);
		Awaitility.await().atMost(WAIT).until(() -> client.events.contains("SETTINGS"));
		int id = client.get("/short");
		// The request has long ended when the handler, later, ends its body short.
		Awaitility.await().atMost(WAIT).until(() -> client.dataBytes.get() == 10);
		handler.endNow();
		awaitReset(client, id);
		// Only the stream was at fault.
		int next = client.get("/short");
		Awaitility.await().atMost(WAIT).until(() -> client.dataBytes.get() == 20);
		handler.endNow();
		awaitReset(client, next);
		assertThat(client.isActive()).isTrue();
	}

	private static void awaitReset(RawH2Client client, int id) {
		String reset = "RST " + id + " " + Http2Error.CANCEL.code();
		Awaitility.await().atMost(WAIT).until(() -> client.events.contains(reset));
	}

	/** Announces 100 bytes, sends 10, and ends there when the test says so. */
	private static final class ShortBody implements StreamHandler {

		private final AtomicBoolean end = new AtomicBoolean();

		private volatile SecureStream current;

		void endNow() {
			this.end.set(true);
			this.current.requestTx();
		}

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			if (state == StreamState.SERVER_TXN) {
				this.end.set(false);
				this.current = stream;
				stream.serverAck(200);
				stream.requestTxLen(100);
			}
			return StreamResult.OK;
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			if (slot.ordinal() == 0) {
				slot.write(new byte[10]).flags(StreamFlags.SOM);
				return StreamResult.OK;
			}
			if (!this.end.get()) {
				return StreamResult.TX_DONT_SEND;
			}
			slot.flags(StreamFlags.EOM);
			return StreamResult.OK;
		}

	}

}
