package io.securestreams.proxy.client;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
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
import io.securestreams.proxy.wire.RxPayloadRun;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.smd.SmdMessage;
import io.securestreams.smd.SmdStream;
import io.securestreams.transport.VisibleAddresses;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream fulfilled by a Secure Streams proxy: the client side of the serialization protocol
 * (libwebsockets' {@code lws_sspc_*}, states {@code LPCSCLI_*}). The link to the proxy is made
 * and retried every second ({@link UpstreamLink}); CREATING is reported once the proxy confirmed
 * the creation; the proxy's states are checked against {@link StateTransitions#PROXIED_CLIENT};
 * metadata, timeouts and length hints travel as frames ahead of payload ({@link PendingFrames}),
 * which is sent only once CONNECTED.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ProxiedStream extends AbstractStream {

	private static final Logger logger = LoggerFactory.getLogger(ProxiedStream.class);

	private static final int RX_PIECE = SsWire.MAX_RX_PAYLOAD;

	/**
	 * Most metadata names a stream keeps. The client has no policy to check names against, so a
	 * proxy that sends ever new names (each value up to a frame, about 64 KiB) would otherwise grow
	 * the stream without bound; a real streamtype declares a handful.
	 */
	static final int MAX_METADATA_NAMES = 128;

	private final PendingFrames pending = new PendingFrames();

	private final UpstreamLink upstream;

	private long txCredit = SsWire.DEFAULT_INITIAL_TX_CREDIT;

	// What the STREAMTYPE frame grants (the class mask for _lws_smd).
	private final int initialTxCredit;

	private final PeerCreditEstimate peerCredit;

	// An _lws_smd stream's slot holds one message, as in direct mode: the proxy hangs up the link
	// on a longer one, which the writer would never hear of.
	private final boolean smd;

	ProxiedStream(ProxiedStreams streams, String streamType, StreamHandler handler, EventLoop loop,
			int initialTxCredit) {
		super(streams.runtime(), StreamTypePolicy.builder(streamType).build(), handler, StreamRole.PROXIED, loop,
				StateTransitions.PROXIED_CLIENT);
		this.initialTxCredit = initialTxCredit;
		this.smd = SmdStream.STREAMTYPE.equals(streamType);
		// The default credit, which a proxy takes for automatic flow control, and the bus's class
		// mask are no credit to estimate.
		boolean credited = initialTxCredit != SsWire.DEFAULT_INITIAL_TX_CREDIT && !this.smd;
		this.peerCredit = new PeerCreditEstimate(credited ? initialTxCredit : 0);
		this.upstream = new UpstreamLink(this, streams, this.pending, loop);
	}

	int initialTxCredit() {
		return this.initialTxCredit;
	}

	void start() {
		joinContext();
		execute(this.upstream::connect);
	}

	/**
	 * The proxy could not be reached: reports UPSTREAM_LINK_RETRY.
	 * @param waitedMillis how long the link has been tried
	 * @return {@code true} when the handler's result ends the retrying (it destroys the stream)
	 */
	boolean linkRetrying(long waitedMillis) {
		return destroys(emitUnchecked(StreamState.UPSTREAM_LINK_RETRY, waitedMillis));
	}

	/**
	 * The current link closed: reports DISCONNECTED if CONNECTED is unanswered.
	 * @return {@code true} when the handler's result ends the retrying (it destroys the stream)
	 */
	boolean linkLost() {
		this.peerCredit.transactionEnded();
		this.pending.abandonMessage();
		return owesDisconnected() && destroys(emit(StreamState.DISCONNECTED, 0));
	}

	/**
	 * Acts on the result of a state reported when there is no link: only DESTROY_ME has an
	 * effect, as for the runtime's own streams ({@code ConnectionSequencer}). A DISCONNECT_ME has
	 * no link left to close, and the link is retried every second until the stream is destroyed
	 * (reference §7.1); taking it as the end of the retries left the stream dead for good.
	 */
	private boolean destroys(StreamResult result) {
		return result == StreamResult.DESTROY_ME && act(result);
	}

	void linkUp(ClientLink up) {
		this.upstream.up(up);
	}

	void linkClosed(ClientLink closed, @Nullable String unfinishedFrame) {
		this.upstream.closed(closed, unfinishedFrame);
	}

	void hangUp(ClientLink from, String reason) {
		this.upstream.hangUp(from, reason);
	}

	void writable(ClientLink from) {
		if (this.upstream.isCurrent(from)) {
			pump();
		}
	}

	void received(ClientLink from, SsMessage message) {
		if (!this.upstream.isCurrent(from) || isDestroyed()) {
			return;
		}
		boolean created = this.upstream.phase().created();
		if (message instanceof ToClient.CreateResult result) {
			if (this.upstream.phase() != LinkPhase.WAITING_CREATE_RESULT) {
				hangUp(from, "CREATE_RESULT in state " + this.upstream.phase());
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
			if (!this.metadata.contains(metadata.name()) && this.metadata.size() >= MAX_METADATA_NAMES) {
				hangUp(from, "metadata '" + metadata.name() + "' would be the stream's name number "
						+ (MAX_METADATA_NAMES + 1) + "; at most " + MAX_METADATA_NAMES + " are kept");
				return;
			}
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
		if (!this.upstream.created(from, result)) {
			return;
		}
		this.pending.rideshares(result.names());
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
		if (state == StreamState.DESTROYING) {
			// The proxy's stream is gone, not this one: DESTROYING is the handler's last event, only
			// for when this stream is destroyed. The link has nothing left to carry; a new one gets a
			// new stream at the proxy, as when a proxy closes the link.
			hangUp(from, "the proxy reported DESTROYING for its stream");
			return;
		}
		if (state == StreamState.CREATING
				|| (state == StreamState.CONNECTED && this.upstream.phase() == LinkPhase.OPERATIONAL)) {
			// CREATING was reported at CREATE_RESULT; a second CONNECTED changes nothing.
			return;
		}
		if (state == StreamState.POLL && !StateTransitions.PROXIED_CLIENT.isAllowed(checkedState(), state)) {
			// A link that replaces one dropped before CONNECTED has a new onward stream, whose first
			// state may be the POLL of a length hint, while this stream last heard CONNECTING (or
			// POLL). POLL only announces the connection that follows, so it is dropped rather than
			// taken for an illegal transition that destroys the stream; a line says so, since a proxy
			// sending it at any other time breaks the protocol.
			logger.info("stream {} ({}): dropped a POLL from the proxy after {}, which the proxied client's "
					+ "transition table forbids", id(), streamType(), checkedState());
			return;
		}
		this.upstream.onward(state);
		this.pending.onwardState(state);
		if (state == StreamState.CONNECTING) {
			this.peerCredit.transactionStarted();
		}
		if (state == StreamState.DISCONNECTED || state == StreamState.UNREACHABLE
				|| state == StreamState.AUTH_FAILED || state == StreamState.QOS_ACK_REMOTE
				|| state == StreamState.QOS_NACK_REMOTE) {
			this.pending.onwardEnded();
			this.peerCredit.transactionEnded();
		}
		if (state == StreamState.DISCONNECTED || state == StreamState.UNREACHABLE
				|| state == StreamState.AUTH_FAILED) {
			// The onward connection ended: a message it was carrying went with it.
			this.pending.abandonMessage();
		}
		if (state == StreamState.TIMEOUT) {
			this.pending.timedOut();
		}
		if (afterCallback(from, emit(state, message.ordinal()))) {
			return;
		}
		pump();
	}

	private void deliver(ClientLink from, ByteBuf payload, int flags) {
		int total = payload.readableBytes();
		this.peerCredit.received(total);
		int offset = 0;
		do {
			int length = Math.min(RX_PIECE, total - offset);
			boolean first = offset == 0;
			boolean last = offset + length == total;
			StreamResult result = deliverRx(payload.slice(payload.readerIndex() + offset, length),
					RxPayloadRun.pieceFlags(flags, first, last));
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
	 * Writes what is pending: the frames ahead of payload, then, once CONNECTED, as much payload
	 * as the handler gives while the link is writable.
	 */
	void pump() {
		ClientLink up = this.upstream.current();
		if (up == null || !up.channel().isActive() || isDestroyed()) {
			return;
		}
		Channel ch = up.channel();
		this.pending.writeControl(ch, this.upstream.phase());
		while (this.upstream.phase() == LinkPhase.OPERATIONAL && this.pending.txRequested() && ch.isWritable()
				&& this.upstream.isCurrent(up)) {
			if (!sendPayload(up)) {
				break;
			}
		}
		ch.flush();
	}

	private boolean sendPayload(ClientLink up) {
		Channel ch = up.channel();
		int capacity = this.smd ? SmdMessage.HEADER + SmdMessage.MAX_PAYLOAD : SsWire.MAX_TX_PAYLOAD;
		ByteBuf buffer = ch.alloc().ioBuffer(capacity, capacity);
		this.pending.txStarting();
		TxResult result = deliverTx(buffer, this.pending.remaining());
		if (!result.send() || (result.length() == 0 && result.flags() == 0)) {
			buffer.release();
			this.pending.txDeclined();
			afterCallback(up, result.result());
			return false;
		}
		this.pending.txTaken(result);
		ch.write(new ToProxy.TxPayload(result.flags(), 0, System.nanoTime() / 1000, buffer));
		return true;
	}

	/**
	 * Returns the streamtype whose part {@code onTx} fills: the proxy lists the streamtype's
	 * rideshare chain in CREATE_RESULT, and each EOM before the last part's moves on to the next.
	 */
	@Override
	public String rideshare() {
		return this.pending.rideshare(streamType());
	}

	@Override
	public void requestTx() {
		if (this.loop.inEventLoop()) {
			// As in direct mode, a request made from a callback on this loop counts at once: one
			// made while onTx fills a message is then served by that message's next call, where a
			// task would raise the flag again after the message's EOM and so send an empty second
			// message, with an ONWARD_CONNECT of its own, once the first transaction ended.
			if (!isDestroyed()) {
				this.pending.requestTx();
			}
			execute(this::pump);
			return;
		}
		execute(() -> {
			this.pending.requestTx();
			pump();
		});
	}

	@Override
	public void requestTxLen(long length) {
		if (length < 0 || length > 0xffffffffL) {
			throw new IllegalArgumentException("length must be 0 to 4294967295");
		}
		execute(() -> {
			this.pending.requestTxLen(length);
			pump();
		});
	}

	@Override
	public void connect() {
		execute(() -> {
			this.pending.requestConnect(this.upstream.phase() != LinkPhase.OPERATIONAL);
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
		if (1 + length + value.length < SsWire.MIN_METADATA_BODY) {
			// A 1-byte name with an empty value: every proxy hangs up on the 2-byte frame, and the
			// next link would send it again, for ever. Kept locally, never sent; an older value of
			// the name is not sent again either, since the application replaced it.
			execute(() -> {
				if (this.pending.withdraw(name)) {
					logger.warn("stream {} ({}): metadata '{}' set to an empty value is not sent to the proxy: a "
							+ "1-byte name with an empty value makes a METADATA frame of 2 bytes, which proxies "
							+ "hang up on (at least {}); the proxy keeps the value it has", id(), streamType(), name,
							SsWire.MIN_METADATA_BODY);
				}
			});
			return;
		}
		execute(() -> {
			this.pending.metadata(name, copy);
			pump();
		});
	}

	@Override
	public void addPeerTxCredit(int delta) {
		checkPeerTxCredit(delta);
		execute(() -> {
			this.peerCredit.granted(delta);
			this.pending.peerTxCredit(delta);
			pump();
		});
	}

	@Override
	public int estimatedPeerTxCredit() {
		return this.peerCredit.value();
	}

	@Override
	public void startTimeout(long millis) {
		if (millis < 0 || millis >= SsWire.TIMEOUT_CANCEL) {
			throw new IllegalArgumentException("timeout must be 0 to 4294967294 ms");
		}
		execute(() -> {
			this.pending.timeout(millis);
			pump();
		});
	}

	@Override
	public void cancelTimeout() {
		execute(() -> {
			this.pending.timeout(SsWire.TIMEOUT_CANCEL);
			pump();
		});
	}

	@Override
	protected void disconnect() {
		ClientLink up = this.upstream.current();
		if (up != null) {
			hangUp(up, "the handler returned DISCONNECT_ME");
		}
	}

	@Override
	protected void quiesce() {
		// DESTROY_ME: frames read with the one that asked for it, and those arriving before the
		// destruction runs, must not reach the handler; the link goes now, and is not retried.
		this.upstream.close();
	}

	@Override
	protected void releaseResources() {
		this.upstream.close();
	}

	@Override
	public @Nullable SocketAddress peerAddress() {
		ClientLink up = this.upstream.current();
		return (up != null) ? VisibleAddresses.of(up.channel().remoteAddress()) : null;
	}

	@Override
	public void validityConfirmed() {
		// Connection validity is the proxy's business; nothing travels for it.
	}

}
