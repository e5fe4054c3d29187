package io.securestreams.proxy.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.proxy.wire.SsMessage;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedProxy;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxied client's frame decoding against a proxy that splits frames or sends bodies of a
 * length the frame type never has (reference §7.2, §7.4).
 */
class ProxiedClientWireProbeTests extends ScriptedProxyFixture {

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	private ScriptedProxy.Link acceptStreamType() throws Exception {
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		assertThat(link.next().type()).isEqualTo(0xaa);
		return link;
	}

	@Test
	void aTransactionSentOneByteAtATimeIsDeliveredAsWhole() throws Exception {
		proxiedContext(this.guard);
		this.proxy.listen();
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.create("split", handler);
		ScriptedProxy.Link link = acceptStreamType();
		ByteArrayOutputStream wire = new ByteArrayOutputStream();
		for (SsMessage message : List.of(ToClient.CreateResult.ok(0, List.of("split")), state(StreamState.CREATING),
				state(StreamState.CONNECTING), new ToClient.RxMetadata("srv", ascii("java")),
				state(StreamState.CONNECTED), new ToClient.ConnState(1001, 3),
				new ToClient.RxPayload(StreamFlags.SOM | StreamFlags.RIDESHARE, 0, 1, "ride",
						Unpooled.wrappedBuffer(ascii("hello "))),
				rx(StreamFlags.EOM, ascii("world")), new ToClient.Perf(ascii("{}")), state(StreamState.QOS_ACK_REMOTE),
				state(StreamState.DISCONNECTED))) {
			wire.writeBytes(SsWire.toBytes(message));
		}
		for (byte b : wire.toByteArray()) {
			link.send(new byte[] { b });
		}
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "USER_STATE_1001",
				"QOS_ACK_REMOTE", "DISCONNECTED");
		assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("hello world{}");
		assertThat(handler.rxFlags).containsExactly(StreamFlags.SOM, StreamFlags.EOM,
				StreamFlags.SOM | StreamFlags.EOM | StreamFlags.PERF_JSON);
		assertThat(stream.metadata("srv")).isEqualTo("java");
		this.guard.assertNoViolations();
	}

	@Test
	void bodiesOfALengthTheTypeNeverHasHangUpNamingTheFrame() throws Exception {
		proxiedContext(this.guard);
		this.proxy.listen();
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy.client")) {
			RecordingHandler handler = new RecordingHandler();
			this.streams.create("short", handler);
			ScriptedProxy.Link link = acceptStreamType();
			byte[][] frames = { { 0x5b, 0, 0 }, { 0x58, 0, 3, 0, 0, 1 }, { 0x58, 0, 5, 0, 0, 0, 1, 0 },
				{ 0x57, 0, 9, 0, 0, 0, 0, 6, 0, 0, 0, 0 }, { 0x57, 0, 4, 0, 0, 0, 0 },
				{ 0x55, 0, 15, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 } };
			String[] reasons = { "bad length 0 for a PERF frame", "bad length 3 for a RX_TXCR_UPDATE frame",
				"bad length 5 for a RX_TXCR_UPDATE frame", "bad length 9 for a CONNSTATE frame",
				"bad length 4 for a CONNSTATE frame", "bad length 15 for a RX_PAYLOAD frame" };
			for (int i = 0; i < frames.length; i++) {
				link.send(ToClient.CreateResult.ok(0, List.of("short")), state(StreamState.CREATING));
				link.send(frames[i]);
				link.awaitClosed();
				assertThat(logs.await("hanging up the proxy link", reasons[i])).contains("short");
				link = acceptStreamType();
			}
			Awaitility.await().atMost(WAIT).until(() -> handler.states.size() == 1);
			assertThat(handler.stateNames()).containsExactly("CREATING");
			assertThat(handler.received()).isEmpty();
		}
		this.guard.assertNoViolations();
	}

	/**
	 * A POLL the proxied client's table forbids is dropped (docs/proxy.md) rather than destroying
	 * the stream, but not in silence: a proxy sending one out of a reconnection breaks the protocol.
	 */
	@Test
	void aForbiddenPollFromTheProxyIsDroppedWithALogLine() throws Exception {
		proxiedContext(this.guard);
		this.proxy.listen();
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy.client")) {
			RecordingHandler handler = new RecordingHandler();
			this.streams.create("poll", handler);
			ScriptedProxy.Link link = acceptStreamType();
			link.send(ToClient.CreateResult.ok(0, List.of("poll")), state(StreamState.CREATING),
					state(StreamState.CONNECTING), state(StreamState.CONNECTED), state(StreamState.QOS_ACK_REMOTE),
					state(StreamState.POLL), state(StreamState.DISCONNECTED));
			handler.await(StreamState.DISCONNECTED, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE",
					"DISCONNECTED");
			assertThat(logs.await("dropped a POLL from the proxy after QOS_ACK_REMOTE")).contains("poll");
		}
		this.guard.assertNoViolations();
	}

}
