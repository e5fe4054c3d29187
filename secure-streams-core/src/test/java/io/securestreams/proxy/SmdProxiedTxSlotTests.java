package io.securestreams.proxy;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.smd.SmdClass;
import io.securestreams.smd.SmdMessage;
import io.securestreams.testsupport.ProxyUnderTest;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The tx slot of a proxied {@code _lws_smd} stream holds one message, 16 bytes of header and at
 * most 384 of payload, as in direct mode: a longer message fails in the handler that writes it,
 * instead of reaching the proxy, which hangs up the link (the stream dropping and reconnecting
 * with no word of why).
 */
class SmdProxiedTxSlotTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final List<SmdMessage> onProxyBus = new CopyOnWriteArrayList<>();

	@TempDir
	Path temp;

	private ProxyUnderTest harness;

	private SecureStreams context;

	private SecureStreams client;

	@BeforeEach
	void start() {
		this.harness = new ProxyUnderTest(TestPolicies.base().build(), this.temp);
		this.context = this.harness.context();
		this.client = this.harness.client();
		this.context.smd().subscribe(SmdClass.ALL, Runnable::run, this.onProxyBus::add);
	}

	@AfterEach
	void stop() {
		this.harness.close();
	}

	/** Writes one message of the given payload length per requestTx, recording what the slot did. */
	static final class Writer extends RecordingHandler {

		final List<Integer> capacities = new CopyOnWriteArrayList<>();

		final List<Throwable> refused = new CopyOnWriteArrayList<>();

		volatile int payloadLength;

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			this.capacities.add(slot.capacity());
			byte[] payload = "x".repeat(this.payloadLength).getBytes(StandardCharsets.UTF_8);
			try {
				slot.buffer().put(new SmdMessage(SmdClass.user(3), 0, new byte[0]).encode()).put(payload);
			}
			catch (BufferOverflowException ex) {
				this.refused.add(ex);
				return StreamResult.TX_DONT_SEND;
			}
			slot.flags(StreamFlags.SOM | StreamFlags.EOM);
			return StreamResult.OK;
		}

	}

	@Test
	void aProxiedSmdStreamsSlotHoldsOneMessageAsInDirectMode() {
		Writer writer = new Writer();
		SecureStream stream = this.client.createSmd(SmdClass.NETWORK, writer);
		writer.await(StreamState.CONNECTED, WAIT);
		writer.payloadLength = SmdMessage.MAX_PAYLOAD + 1;
		stream.requestTx();
		// onTx records the capacity before its put is refused: wait for the refusal itself.
		await().atMost(WAIT).until(() -> !writer.refused.isEmpty());
		assertThat(writer.capacities).containsOnly(SmdMessage.HEADER + SmdMessage.MAX_PAYLOAD);
		assertThat(writer.refused).hasSize(1);
		// The full-size message that follows goes through, on the same link.
		writer.payloadLength = SmdMessage.MAX_PAYLOAD;
		stream.requestTx();
		await().atMost(WAIT).until(() -> this.onProxyBus.size() == 1);
		assertThat(this.onProxyBus.get(0).payload()).hasSize(SmdMessage.MAX_PAYLOAD);
		assertThat(writer.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
		assertThat(ByteBuffer.wrap(this.onProxyBus.get(0).payload()).get()).isEqualTo((byte) 'x');
	}

}
