package io.securestreams.smd;


import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.internal.InProcessStream;
import io.securestreams.internal.StreamsRuntime;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.TxResult;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream of the built-in {@code _lws_smd} streamtype: it connects at creation by subscribing to
 * the context's {@link SmdBus} with its class mask (CREATING, CONNECTING, CONNECTED, as
 * libwebsockets' SMD streams do), receives each message of those classes as one rx with SOM and
 * EOM, as the {@linkplain SmdMessage#encode() 16-byte header and payload}, and publishes what each
 * {@code onTx} writes, in the same form, on the bus (to itself too when its mask has the class,
 * as in libwebsockets). DISCONNECT_ME unsubscribes
 * (DISCONNECTED); {@code connect()} or {@code requestTx()} subscribes again.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SmdStream extends InProcessStream {

	/** The streamtype name, libwebsockets' {@code LWS_SMD_STREAMTYPENAME}; no policy entry needed. */
	public static final String STREAMTYPE = "_lws_smd";

	private static final Logger logger = LoggerFactory.getLogger(SmdStream.class);

	private static final StreamTypePolicy POLICY = StreamTypePolicy.builder(STREAMTYPE).build();

	private final SmdBus bus;

	private final long classMask;

	private SmdBus.@Nullable Subscription subscription;

	private boolean txRequested;

	// Whether the stream ever subscribed (or tried to), for the subscription made at creation.
	private boolean subscribedBefore;

	private SmdStream(StreamsRuntime runtime, SmdBus bus, long classMask, StreamHandler handler) {
		super(runtime, POLICY, handler, StreamRole.CLIENT, runtime.transport().nextLoop());
		this.bus = bus;
		this.classMask = classMask;
	}

	/**
	 * Creates a stream, delivers CREATING and connects it.
	 * @param runtime the context internals
	 * @param bus the context's bus
	 * @param classMask the {@link SmdClass} bits the stream receives
	 * @param handler the application's handler
	 * @return the stream
	 * @throws SecureStreamsException when the handler refused the creation
	 */
	public static SecureStream open(StreamsRuntime runtime, SmdBus bus, long classMask, StreamHandler handler) {
		SmdStream stream = new SmdStream(runtime, bus, classMask, handler);
		if (stream.deliverCreating() == StreamResult.DESTROY_ME) {
			stream.destroyNow();
			throw new SecureStreamsException("the handler refused stream creation (DESTROY_ME from CREATING) for '"
					+ STREAMTYPE + "'");
		}
		stream.execute(stream::subscribeAtCreation);
		return stream;
	}

	/**
	 * Returns the classes this stream receives.
	 * @return the class mask it was created with
	 */
	public long classMask() {
		return this.classMask;
	}

	/**
	 * Connects at creation, unless a connect or requestTx from the CREATING callback (queued
	 * ahead of this) did already: after a DISCONNECT_ME since, subscribing again would undo it.
	 */
	private void subscribeAtCreation() {
		if (!this.subscribedBefore) {
			subscribe();
		}
	}

	private void subscribe() {
		if (this.subscription != null) {
			return;
		}
		this.subscribedBefore = true;
		if (actOnStateOrRx(emit(StreamState.CONNECTING, 0))) {
			return;
		}
		this.subscription = this.bus.subscribe(this.classMask, this::execute, this::received);
		if (!actOnStateOrRx(emit(StreamState.CONNECTED, 0))) {
			send();
		}
	}

	private void received(SmdMessage message) {
		if (this.subscription == null || isDestroyed()) {
			return;
		}
		ByteBuf encoded = Unpooled.wrappedBuffer(message.encode());
		actOnStateOrRx(deliverRx(encoded, StreamFlags.SOM | StreamFlags.EOM));
	}

	@Override
	public void requestTx() {
		execute(() -> {
			this.txRequested = true;
			if (this.subscription == null) {
				subscribe();
			}
			else {
				send();
			}
		});
	}

	@Override
	public void requestTxLen(long length) {
		if (length < 0) {
			throw new IllegalArgumentException("length must not be negative");
		}
		requestTx();
	}

	@Override
	public void connect() {
		execute(this::subscribe);
	}

	private void send() {
		if (!this.txRequested || this.subscription == null) {
			return;
		}
		this.txRequested = false;
		int capacity = SmdMessage.HEADER + SmdMessage.MAX_PAYLOAD;
		ByteBuf buffer = Unpooled.buffer(capacity, capacity);
		TxResult result = deliverTx(buffer, -1);
		if (!result.send()) {
			act(result.result());
			return;
		}
		SmdMessage written;
		try {
			written = SmdMessage.decode(buffer.nioBuffer());
		}
		catch (IllegalArgumentException ex) {
			logger.warn("stream {} ({}): not sent: {}", id(), STREAMTYPE, ex.getMessage());
			return;
		}
		// Stamped when sent, as libwebsockets does, whatever the writer put there.
		this.bus.publish(new SmdMessage(written.smdClass(), SmdBus.nowMicros(), written.payload()));
	}

	@Override
	protected void disconnect() {
		// Off the bus there is nothing left to disconnect: of DISCONNECTED's results only
		// DESTROY_ME acts (reference section 2).
		if (unsubscribe() && emit(StreamState.DISCONNECTED, 0) == StreamResult.DESTROY_ME) {
			destroyLater();
		}
	}

	private boolean unsubscribe() {
		SmdBus.Subscription current = this.subscription;
		this.subscription = null;
		if (current == null) {
			return false;
		}
		current.close();
		return true;
	}

	@Override
	protected void releaseResources() {
		unsubscribe();
	}

}
