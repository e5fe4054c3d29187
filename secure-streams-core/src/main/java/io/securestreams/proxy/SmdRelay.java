package io.securestreams.proxy;

import java.nio.ByteBuffer;
import java.util.List;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.proxy.wire.RxPayloadRun;
import io.securestreams.proxy.wire.SsMessage;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.smd.SmdBus;
import io.securestreams.smd.SmdMessage;
import io.securestreams.smd.SmdStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy side of a link for the built-in {@code _lws_smd} streamtype (reference §7.9): the
 * STREAMTYPE frame's credit field is the class mask the client wants. The link is answered as
 * libwebsockets' proxy answers it (CREATE_RESULT, then CREATING, CONNECTING and CONNECTED, since
 * an SMD stream connects at creation), every message of those classes on the proxy's bus goes to
 * the client as one RX_PAYLOAD with SOM and EOM, and every TX_PAYLOAD the client sends, a 16-byte
 * class and timestamp header and the payload, is published on the bus: to other links, the
 * proxy's own streams and subscribers, and back to this link when its mask has the class, as
 * libwebsockets' proxy does. Runs on the link's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class SmdRelay {

	private static final Logger logger = LoggerFactory.getLogger(SmdRelay.class);

	/**
	 * Most bytes queued for a client that does not read before new messages are dropped: the
	 * proxy's default {@code proxy_buflen}, about 80 full-size messages.
	 */
	static final long MAX_QUEUED = 32768;

	private final String description;

	private final LinkOutbox outbox;

	private final ByteBufAllocator allocator;

	private final SmdBus bus;

	private SmdBus.@Nullable Subscription subscription;

	private long dropped;

	private SmdRelay(String description, LinkOutbox outbox, ByteBufAllocator allocator, SmdBus bus) {
		this.description = description;
		this.outbox = outbox;
		this.allocator = allocator;
		this.bus = bus;
	}

	/**
	 * Answers the client's STREAMTYPE and starts relaying.
	 * @param description the link, for log lines
	 * @param classMask the STREAMTYPE credit field: the classes the client receives
	 * @param outbox the link's frames to the client
	 * @param allocator the link's allocator
	 * @param loop the link's event loop, where messages are delivered
	 * @param bus the proxy's bus
	 * @return the relay
	 */
	static SmdRelay start(String description, int classMask, LinkOutbox outbox, ByteBufAllocator allocator,
			EventLoop loop, SmdBus bus) {
		SmdRelay relay = new SmdRelay(description, outbox, allocator, bus);
		// An SMD stream has no policy entry: its client buffer is the client's default (0 sent).
		outbox.start(ToClient.CreateResult.ok(0, List.of(SmdStream.STREAMTYPE)), false);
		for (StreamState state : List.of(StreamState.CREATING, StreamState.CONNECTING, StreamState.CONNECTED)) {
			outbox.fifo(new ToClient.ConnState(state.value(), 0));
		}
		relay.subscription = bus.subscribe(Integer.toUnsignedLong(classMask), loop, relay::forward);
		logger.debug("{}: relaying SMD classes 0x{}", description, Integer.toHexString(classMask));
		return relay;
	}

	private void forward(SmdMessage message) {
		if (this.subscription == null) {
			return;
		}
		if (this.outbox.bufferedBytes() > MAX_QUEUED) {
			if (this.dropped++ % 100 == 0) {
				logger.warn("{}: the client does not read its SMD messages; {} dropped so far", this.description,
						this.dropped);
			}
			return;
		}
		this.outbox.fifo(RxPayloadRun.encode(this.allocator, ByteBuffer.wrap(message.encode()),
				StreamFlags.SOM | StreamFlags.EOM, System.nanoTime() / 1000));
	}

	/**
	 * Acts on a frame from the client.
	 * @param message the frame, released by the caller
	 * @return why the link must be closed, or {@code null} to go on
	 */
	@Nullable String received(SsMessage message) {
		return switch (message.type()) {
			case TX_PAYLOAD -> publish((ToProxy.TxPayload) message);
			// Connected since creation; timeouts, hints and credit have no meaning on the bus.
			case ONWARD_CONNECT, TIMEOUT_UPDATE, PAYLOAD_LENGTH_HINT, TX_TXCR_UPDATE -> null;
			case TX_METADATA -> "metadata '" + ((ToProxy.TxMetadata) message).name() + "' on an SMD stream";
			default -> "unexpected " + message.type() + " on an SMD stream";
		};
	}

	private @Nullable String publish(ToProxy.TxPayload payload) {
		SmdMessage written;
		try {
			written = SmdMessage.decode(payload.payload().nioBuffer());
		}
		catch (IllegalArgumentException ex) {
			return ex.getMessage();
		}
		this.bus.publish(new SmdMessage(written.smdClass(), SmdBus.nowMicros(), written.payload()));
		return null;
	}

	/** The link closed: no more messages for it. */
	void close() {
		SmdBus.Subscription current = this.subscription;
		this.subscription = null;
		if (current != null) {
			current.close();
		}
	}

}
