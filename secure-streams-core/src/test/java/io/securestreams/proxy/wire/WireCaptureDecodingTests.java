package io.securestreams.proxy.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.securestreams.testsupport.WireCapture;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden test: the frames of the real C client and C proxy conversation in
 * {@code wire1-http-post.log} decode to exactly the messages of reference §7.7, and encode back
 * to the same bytes.
 */
class WireCaptureDecodingTests {

	private final WireCapture capture = WireCapture.load("wire1-http-post.log");

	private List<SsMessage> decode(boolean fromClient) {
		EmbeddedChannel channel = new EmbeddedChannel(new SsFrameDecoder(fromClient));
		for (byte[] chunk : this.capture.chunks(fromClient)) {
			channel.writeInbound(Unpooled.wrappedBuffer(chunk));
		}
		List<SsMessage> messages = new ArrayList<>();
		for (Object message = channel.readInbound(); message != null; message = channel.readInbound()) {
			messages.add((SsMessage) message);
		}
		assertThat(channel.finish()).isFalse();
		return messages;
	}

	@Test
	void clientToProxyFramesAreTheReferenceTrace() {
		List<SsMessage> messages = decode(true);
		try {
			assertThat(messages).hasSize(6);
			assertThat(messages.get(0)).isEqualTo(new ToProxy.StreamType(1, 27180, 500_000_000, "minpost"));
			ToProxy.TxMetadata metadata = (ToProxy.TxMetadata) messages.get(1);
			assertThat(metadata.name()).isEqualTo("ctype");
			assertThat(new String(metadata.value(), StandardCharsets.UTF_8))
				.isEqualTo("multipart/form-data;boundary=\"boundary\"");
			assertThat(messages.get(2)).isEqualTo(new ToProxy.PayloadLengthHint(5970));
			assertThat(messages.get(3)).isEqualTo(new ToProxy.OnwardConnect());
			ToProxy.TxPayload first = (ToProxy.TxPayload) messages.get(4);
			assertThat(first.flags()).isEqualTo(0x1);
			assertThat(first.clientWaitUs()).isEqualTo(839);
			assertThat(first.clientWriteTimeUs()).isEqualTo(499_982_702L);
			assertThat(first.payload().readableBytes()).isEqualTo(4061).isEqualTo(SsWire.MAX_TX_PAYLOAD);
			assertThat(first.payload().toString(StandardCharsets.US_ASCII)).startsWith("--boundary\r\nContent-Disp");
			ToProxy.TxPayload last = (ToProxy.TxPayload) messages.get(5);
			assertThat(last.flags()).isEqualTo(0x2);
			assertThat(last.clientWaitUs()).isEqualTo(499_982_738L);
			assertThat(last.clientWriteTimeUs()).isEqualTo(499_982_738L);
			assertThat(last.payload().readableBytes()).isEqualTo(1909);
			assertThat(last.payload().toString(StandardCharsets.US_ASCII)).startsWith("23456789abcdef0123456789");
			assertThat(first.payload().readableBytes() + last.payload().readableBytes()).isEqualTo(5970);
			assertReencodes(messages, this.capture.bytes(true));
		}
		finally {
			release(messages);
		}
	}

	@Test
	void proxyToClientFramesAreTheReferenceTrace() {
		List<SsMessage> messages = decode(false);
		try {
			assertThat(messages).hasSize(9);
			ToClient.CreateResult created = (ToClient.CreateResult) messages.get(0);
			assertThat(created.result()).isZero();
			assertThat(created.clientBuflen()).isEqualTo(12345);
			assertThat(created.streamTypes()).isEqualTo(",minpost");
			assertThat(created.names()).containsExactly("minpost");
			assertThat(messages.subList(1, 5)).containsExactly(new ToClient.ConnState(1, 0),
					new ToClient.ConnState(8, 0), new ToClient.ConnState(6, 0), new ToClient.ConnState(5, 0));
			ToClient.RxPayload body = (ToClient.RxPayload) messages.get(5);
			assertThat(body.flags()).isEqualTo(0x1);
			assertThat(body.latencyUs()).isZero();
			assertThat(body.proxyTimeUs()).isEqualTo(499_983_406L);
			assertThat(body.rideshare()).isNull();
			assertThat(body.payload().toString(StandardCharsets.US_ASCII)).isEqualTo("A".repeat(300));
			ToClient.RxPayload eom = (ToClient.RxPayload) messages.get(6);
			assertThat(eom.flags()).isEqualTo(0x2);
			assertThat(eom.latencyUs()).isZero();
			assertThat(eom.proxyTimeUs()).isEqualTo(499_983_411L);
			assertThat(eom.payload().readableBytes()).isZero();
			assertThat(messages.subList(7, 9)).containsExactly(new ToClient.ConnState(10, 0),
					new ToClient.ConnState(2, 0));
			assertReencodes(messages, this.capture.bytes(false));
		}
		finally {
			release(messages);
		}
	}

	@Test
	void failedCreateResultIsTheExactFrameTheCProxySends() {
		assertThat(SsWire.toBytes(ToClient.CreateResult.FAILED))
			.containsExactly(0x56, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00);
	}

	@Test
	void userStatesUseTheFourByteConnstateForm() {
		assertThat(SsWire.toBytes(new ToClient.ConnState(1530, 7)))
			.containsExactly(0x57, 0x00, 0x08, 0x00, 0x00, 0x05, 0xfa, 0x00, 0x00, 0x00, 0x07);
	}

	private static void assertReencodes(List<SsMessage> messages, byte[] wire) {
		ByteBuf all = Unpooled.buffer();
		for (SsMessage message : messages) {
			all.writeBytes(SsWire.toBytes(message));
		}
		byte[] encoded = new byte[all.readableBytes()];
		all.readBytes(encoded);
		all.release();
		assertThat(encoded).isEqualTo(wire);
	}

	private static void release(List<SsMessage> messages) {
		messages.stream().filter(PayloadMessage.class::isInstance).forEach((m) -> ((PayloadMessage) m).release());
	}

}
