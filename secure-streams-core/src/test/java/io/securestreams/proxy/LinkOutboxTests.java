package io.securestreams.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.securestreams.StreamState;
import io.securestreams.proxy.wire.SsMessage;
import io.securestreams.proxy.wire.ToClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order in which a link's frames reach the client.
 */
class LinkOutboxTests {

	private final EmbeddedChannel channel = new EmbeddedChannel();

	private final LinkOutbox outbox = new LinkOutbox(this.channel, () -> {
	});

	@AfterEach
	void close() {
		this.outbox.discard();
		this.channel.finishAndReleaseAll();
	}

	@Test
	void metadataOvertakesAStateQueuedAtTheSameTime() {
		this.outbox.fifo(new ToClient.ConnState(StreamState.CONNECTED.value(), 0));
		this.outbox.metadata(metadata("content-type", "text/plain"));
		this.outbox.start(new ToClient.CreateResult(0, 0, ",t"), false);
		assertThat(written()).containsExactly("CreateResult", "RxMetadata content-type=text/plain", "ConnState");
	}

	@Test
	void metadataNeverOvertakesAPayloadQueuedBeforeIt() {
		this.outbox.start(new ToClient.CreateResult(0, 0, ",t"), false);
		this.channel.releaseOutbound();
		// Two MQTT messages arrive before one flush: each topic must stay with its own payload.
		this.outbox.metadata(metadata("topic", "a"));
		this.outbox.fifo(payload("first"));
		this.outbox.metadata(metadata("topic", "b"));
		this.outbox.fifo(payload("second"));
		this.channel.runPendingTasks();
		assertThat(written()).containsExactly("RxMetadata topic=a", "RxPayload first", "RxMetadata topic=b",
				"RxPayload second");
		// Once the payloads are out, metadata has priority again.
		this.outbox.fifo(new ToClient.ConnState(StreamState.QOS_ACK_REMOTE.value(), 0));
		this.outbox.metadata(metadata("topic", "c"));
		this.outbox.flush();
		assertThat(written()).containsExactly("RxMetadata topic=c", "ConnState");
	}

	private List<String> written() {
		List<String> names = new ArrayList<>();
		for (Object message = this.channel.readOutbound(); message != null; message = this.channel.readOutbound()) {
			names.add(describe((SsMessage) message));
			ReferenceCountUtil.release(message);
		}
		return names;
	}

	private static String describe(SsMessage message) {
		if (message instanceof ToClient.RxMetadata metadata) {
			return "RxMetadata " + metadata.name() + "=" + new String(metadata.value(), StandardCharsets.UTF_8);
		}
		if (message instanceof ToClient.RxPayload payload) {
			return "RxPayload " + payload.payload().toString(StandardCharsets.UTF_8);
		}
		return message.getClass().getSimpleName();
	}

	private static ToClient.RxMetadata metadata(String name, String value) {
		return new ToClient.RxMetadata(name, value.getBytes(StandardCharsets.UTF_8));
	}

	private static ToClient.RxPayload payload(String text) {
		return new ToClient.RxPayload(0, 0, 0, null, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
	}

}
