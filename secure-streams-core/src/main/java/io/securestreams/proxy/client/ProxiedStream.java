package io.securestreams.proxy.client;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.StateTransitions;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.internal.AbstractStream;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.TxResult;
import io.securestreams.proxy.wire.SsMessage;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.proxy.wire.ToProxy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream fulfilled by a Secure Streams proxy: the client side of the serialization protocol
 * (libwebsockets' {@code lws_sspc_*}, states {@code LPCSCLI_*}). The link to the proxy is made
 * and retried every second; CREATING is reported once the proxy confirmed the creation; the
 * proxy's states are checked against {@link StateTransitions#PROXIED_CLIENT}; metadata, timeouts
 * and length hints travel as frames ahead of payload, which is sent only once CONNECTED.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ProxiedStream extends AbstractStream {

	private static final Logger logger = LoggerFactory.getLogger(ProxiedStream.class);

	private enum Link {

		/** No link; one is being retried. */
		IDLE,
		/** The socket is connecting. */
		CONNECTING,
		/** STREAMTYPE sent, waiting for CREATE_RESULT. */
		WAITING_CREATE_RESULT,
		/** The proxy created its stream; the onward connection is not up. */
		LOCAL_CONNECTED,
		/** The onward stream reported CONNECTED; payload may flow. */
		OPERATIONAL

	}

	private static final int RX_PIECE = SsWire.MAX_RX_PAYLOAD;

	private final ProxiedStreams streams;

	private final Map<String, byte[]> metadataSet = new LinkedHashMap<>();

	private final Map<String, byte[]> metadataPending = new LinkedHashMap<>();

	private Link link = Link.IDLE;

	private @Nullable ClientLink current;

	private @Nullable ScheduledFuture<?> timer;

	private long firstTryNanos = -1;

	private boolean connectRequested;

	private boolean txRequested;

	private long lengthHint = -1;

	private long announced = -1;

	private long txSent;

	private @Nullable Long timeoutUpdate;

	private long txCredit = SsWire.DEFAULT_INITIAL_TX_CREDIT;

	ProxiedStream(ProxiedStreams streams, String streamType, StreamHandler handler, EventLoop loop) {
		super(streams.runtime(), StreamTypePolicy.builder(streamType).build(), handler, StreamRole.PROXIED, loop,
				StateTransitions.PROXIED_CLIENT);
		this.streams = streams;
	}

	void start() {
		joinContext();
		execute(this::connectLink);
	}

	private void connectLink() {
		this.link = Link.CONNECTING;
		if (this.firstTryNanos < 0) {
			this.firstTryNanos = System.nanoTime();
		}
		ClientLink.connect(this, this.streams, this.loop).addListener((future) -> {
			if (!future.isSuccess() && !isDestroyed() && this.link == Link.CONNECTING && this.current == null) {
				linkFailed(future.cause());
			}
		});
	}

	private void linkFailed(Throwable cause) {
		this.link = Link.IDLE;
		long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.firstTryNanos);
		logger.debug("stream {} ({}): proxy {} unreachable after {} ms: {}", id(), streamType(),
				this.streams.address(), waited, cause.toString());
		if (act(emitUnchecked(StreamState.UPSTREAM_LINK_RETRY, waited))) {
			return;
		}
		retryLater();
	}

	private void retryLater() {
		cancelTimer();
		this.timer = this.loop.schedule(() -> {
			this.timer = null;
			if (!isDestroyed()) {
				connectLink();
			}
		}, ProxiedStreams.LINK_RETRY.toMillis(), TimeUnit.MILLISECONDS);
	}

	void linkUp(ClientLink up) {
		if (isDestroyed() || this.link != Link.CONNECTING) {
			up.channel().close();
			return;
		}
		this.current = up;
		this.firstTryNanos = -1;
		this.link = Link.WAITING_CREATE_RESULT;
		// A new link means a new onward stream at the proxy: it needs every metadata value again.
		this.metadataPending.putAll(this.metadataSet);
		up.channel().write(new ToProxy.StreamType(SsWire.PROTOCOL_VERSION, ProcessHandle.current().pid(),
				SsWire.DEFAULT_INITIAL_TX_CREDIT, streamType()));
		cancelTimer();
		this.timer = this.loop.schedule(() -> {
			this.timer = null;
			if (this.current == up && this.link == Link.WAITING_CREATE_RESULT) {
				hangUp(up, "no CREATE_RESULT within " + ProxiedStreams.CREATE_RESULT_WAIT.toMillis() + " ms");
			}
		}, ProxiedStreams.CREATE_RESULT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
		pump();
	}

	void linkClosed(ClientLink closed) {
		if (this.current != closed) {
			return;
		}
		this.current = null;
		this.link = Link.IDLE;
		if (isDestroyed()) {
			return;
		}
		cancelTimer();
		if (this.danglingConnected && act(emit(StreamState.DISCONNECTED, 0))) {
			return;
		}
		retryLater();
	}

	void hangUp(ClientLink from, String reason) {
		if (this.current == from) {
			logger.warn("stream {} ({}): hanging up the proxy link: {}", id(), streamType(), reason);
			from.channel().close();
		}
	}

	void writable(ClientLink from) {
		if (this.current == from) {
			pump();
		}
	}

	void received(ClientLink from, SsMessage message) {
		if (this.current != from || isDestroyed()) {
			return;
		}
		boolean created = this.link == Link.LOCAL_CONNECTED || this.link == Link.OPERATIONAL;
		if (message instanceof ToClient.CreateResult result) {
			if (this.link != Link.WAITING_CREATE_RESULT) {
				hangUp(from, "CREATE_RESULT in state " + this.link);
				return;
			}
			onCreateResult(from, result);
			return;
		}
		if (!created) {
			hangUp(from, message.type() + " before CREATE_RESULT");
			return;
		}
		if (message instanceof ToClient.ConnState state) {
			onConnState(from, state);
		}
		else if (message instanceof ToClient.RxPayload payload) {
			deliver(from, payload.payload(), payload.flags() & ~(StreamFlags.RIDESHARE | StreamFlags.PERF_JSON));
		}
		else if (message instanceof ToClient.RxMetadata metadata) {
			this.metadata.setReceived(metadata.name(), metadata.value());
		}
		else if (message instanceof ToClient.RxCredit credit) {
			this.txCredit += credit.delta();
			if (this.txCredit <= 0) {
				logger.debug("stream {} ({}): tx credit is {}", id(), streamType(), this.txCredit);
			}
			pump();
		}
		else if (message instanceof ToClient.Perf perf) {
			ByteBuf json = from.channel().alloc().buffer(perf.json().length).writeBytes(perf.json());
			try {
				StreamResult result = deliverRx(json, StreamFlags.SOM | StreamFlags.EOM | StreamFlags.PERF_JSON);
				afterCallback(from, result);
			}
			finally {
				json.release();
			}
		}
	}

	private void onCreateResult(ClientLink from, ToClient.CreateResult result) {
		cancelTimer();
		if (result.result() != 0) {
			logger.warn("stream {} ({}): stream creation failed at the proxy {}; retrying in {} ms", id(),
					streamType(), this.streams.address(), ProxiedStreams.LINK_RETRY.toMillis());
			from.channel().close();
			return;
		}
		if (result.names().size() > 3 || result.streamTypes().length() >= 128) {
			hangUp(from, "CREATE_RESULT lists too many streamtypes: " + result.streamTypes());
			return;
		}
		this.link = Link.LOCAL_CONNECTED;
		if (!creatingDelivered() && afterCallback(from, deliverCreating())) {
			return;
		}
		pump();
	}

	private void onConnState(ClientLink from, ToClient.ConnState message) {
		StreamState state;
		try {
			state = StreamState.of(message.state());
		}
		catch (IllegalArgumentException ex) {
			hangUp(from, "unknown state " + message.state());
			return;
		}
		if (state == StreamState.CREATING || (state == StreamState.CONNECTED && this.link == Link.OPERATIONAL)) {
			// CREATING was reported at CREATE_RESULT; a second CONNECTED changes nothing.
			return;
		}
		if (state == StreamState.DISCONNECTED || state == StreamState.UNREACHABLE
				|| state == StreamState.AUTH_FAILED) {
			this.link = Link.LOCAL_CONNECTED;
		}
		else if (state == StreamState.CONNECTED) {
			this.link = Link.OPERATIONAL;
		}
		if (afterCallback(from, emit(state, message.ordinal()))) {
			return;
		}
		pump();
	}

	private void deliver(ClientLink from, ByteBuf payload, int flags) {
		int total = payload.readableBytes();
		int offset = 0;
		do {
			int length = Math.min(RX_PIECE, total - offset);
			boolean first = offset == 0;
			boolean last = offset + length == total;
			int piece = flags;
			if (!first) {
				piece &= ~(StreamFlags.SOM | StreamFlags.POLL);
			}
			if (!last) {
				piece &= ~(StreamFlags.EOM | StreamFlags.RELATED_END);
			}
			StreamResult result = deliverRx(payload.slice(payload.readerIndex() + offset, length), piece);
			if (afterCallback(from, result)) {
				return;
			}
			offset += length;
		}
		while (offset < total);
	}

	/** Acts on a callback result: DISCONNECT_ME hangs up the link, DESTROY_ME destroys the stream. */
	private boolean afterCallback(ClientLink from, StreamResult result) {
		if (result == StreamResult.DESTROY_ME) {
			destroyLater();
			return true;
		}
		if (result == StreamResult.DISCONNECT_ME) {
			hangUp(from, "the handler returned DISCONNECT_ME");
			return true;
		}
		return false;
	}

	/**
	 * Writes what is pending, in libwebsockets' client priority order: a timeout update first,
	 * then metadata, the length hint, then ONWARD_CONNECT or, once CONNECTED, the payload.
	 * <p>
	 * Unlike libwebsockets' client, a tx request made while CONNECTED that sends nothing (the
	 * onward transaction is ending, for example after QOS_ACK_REMOTE) is kept, and becomes an
	 * ONWARD_CONNECT once the proxy reports the onward connection gone.
	 */
	private void pump() {
		ClientLink up = this.current;
		if (up == null || !up.channel().isActive() || isDestroyed()) {
			return;
		}
		Channel ch = up.channel();
		if (this.timeoutUpdate != null) {
			ch.write(new ToProxy.TimeoutUpdate(this.timeoutUpdate));
			this.timeoutUpdate = null;
		}
		if (this.link == Link.LOCAL_CONNECTED || this.link == Link.OPERATIONAL) {
			this.metadataPending.forEach((name, value) -> ch.write(new ToProxy.TxMetadata(name, value)));
			this.metadataPending.clear();
			if (this.lengthHint >= 0) {
				ch.write(new ToProxy.PayloadLengthHint(this.lengthHint));
				this.lengthHint = -1;
			}
		}
		if (this.link == Link.LOCAL_CONNECTED && this.connectRequested) {
			this.connectRequested = false;
			ch.write(new ToProxy.OnwardConnect());
		}
		while (this.link == Link.OPERATIONAL && this.txRequested && ch.isWritable() && this.current == up) {
			if (!sendPayload(up)) {
				break;
			}
		}
		ch.flush();
	}

	private boolean sendPayload(ClientLink up) {
		Channel ch = up.channel();
		ByteBuf buffer = ch.alloc().ioBuffer(SsWire.MAX_TX_PAYLOAD, SsWire.MAX_TX_PAYLOAD);
		TxResult result = deliverTx(buffer, (this.announced >= 0) ? this.announced - this.txSent : -1);
		if (!result.send() || (result.length() == 0 && result.flags() == 0)) {
			buffer.release();
			this.txRequested = false;
			afterCallback(up, result.result());
			return false;
		}
		this.txSent += result.length();
		// The request was served over the onward connection: no new one is needed for it.
		this.connectRequested = false;
		if (StreamFlags.has(result.flags(), StreamFlags.EOM)) {
			this.txRequested = false;
			this.announced = -1;
		}
		ch.write(new ToProxy.TxPayload(result.flags(), 0, System.nanoTime() / 1000, buffer));
		return true;
	}

	@Override
	public void requestTx() {
		execute(() -> {
			this.txRequested = true;
			this.connectRequested = true;
			pump();
		});
	}

	@Override
	public void requestTxLen(long length) {
		if (length < 0 || length > 0xffffffffL) {
			throw new IllegalArgumentException("length must be 0 to 4294967295");
		}
		execute(() -> {
			this.lengthHint = length;
			this.announced = length;
			this.txSent = 0;
			this.txRequested = true;
			this.connectRequested = true;
			pump();
		});
	}

	@Override
	public void connect() {
		execute(() -> {
			this.connectRequested |= this.link != Link.OPERATIONAL;
			pump();
		});
	}

	@Override
	public void setMetadata(String name, String value) {
		setMetadata(name, value.getBytes(StandardCharsets.UTF_8));
	}

	@Override
	public void setMetadata(String name, byte[] value) {
		int length = name.getBytes(StandardCharsets.UTF_8).length;
		if (length == 0 || length > SsWire.MAX_METADATA_NAME) {
			throw new IllegalArgumentException("metadata name '" + name + "' must have 1 to "
					+ SsWire.MAX_METADATA_NAME + " bytes to travel to a proxy");
		}
		if (1 + length + value.length > SsWire.MAX_BODY) {
			throw new IllegalArgumentException("metadata value of " + value.length + " bytes does not fit a frame");
		}
		byte[] copy = value.clone();
		this.metadata.setReceived(name, copy);
		execute(() -> {
			this.metadataSet.put(name, copy);
			this.metadataPending.remove(name);
			this.metadataPending.put(name, copy);
			pump();
		});
	}

	@Override
	public void startTimeout(long millis) {
		if (millis < 0 || millis >= SsWire.TIMEOUT_CANCEL) {
			throw new IllegalArgumentException("timeout must be 0 to 4294967294 ms");
		}
		execute(() -> {
			this.timeoutUpdate = millis;
			pump();
		});
	}

	@Override
	public void cancelTimeout() {
		execute(() -> {
			this.timeoutUpdate = SsWire.TIMEOUT_CANCEL;
			pump();
		});
	}

	@Override
	protected void disconnect() {
		ClientLink up = this.current;
		if (up != null) {
			hangUp(up, "the handler returned DISCONNECT_ME");
		}
	}

	@Override
	protected void releaseResources() {
		cancelTimer();
		ClientLink up = this.current;
		this.current = null;
		this.link = Link.IDLE;
		if (up != null) {
			up.channel().close();
		}
	}

	private void cancelTimer() {
		if (this.timer != null) {
			this.timer.cancel(false);
			this.timer = null;
		}
	}

	@Override
	public @Nullable SocketAddress peerAddress() {
		ClientLink up = this.current;
		return (up != null) ? up.channel().remoteAddress() : null;
	}

	@Override
	public void validityConfirmed() {
		// Connection validity is the proxy's business; nothing travels for it.
	}

}
