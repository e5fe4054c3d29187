package io.securestreams.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.SecureStreamsException;
import io.securestreams.internal.OnwardStream;
import io.securestreams.smd.SmdStream;
import io.securestreams.internal.OnwardStreams;
import io.securestreams.policy.BufferSettings;
import io.securestreams.policy.Policy;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.proxy.wire.FrameType;
import io.securestreams.proxy.wire.SsFrameDecoder;
import io.securestreams.proxy.wire.SsMessage;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.proxy.wire.WireException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy side of one client link (libwebsockets' {@code LPCSPROX_*} states): waits up to
 * three seconds for STREAMTYPE, creates the onward stream and answers CREATE_RESULT, then carries
 * the client's requests to the onward stream. Anything that breaks the protocol closes this link
 * only, with a log line naming the reason.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ProxyLink extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(ProxyLink.class);

	/** Longest rideshare chain a client accepts in CREATE_RESULT. */
	private static final int MAX_CHAIN = 3;

	/**
	 * What a link may hold for its client beyond twice {@code proxy_buflen} before the client
	 * counts as one that does not read: room for states and a large metadata frame next to a
	 * full buffer of payload.
	 */
	static final long HOLD_SLACK = 64 * 1024;

	private final SecureStreamsProxy proxy;

	private final long id;

	private @Nullable Channel channel;

	private boolean operational;

	// Frames ignored before STREAMTYPE, of which only the first is logged at INFO.
	private long ignoredBeforeStreamType;

	private @Nullable ScheduledFuture<?> streamTypeTimer;

	private @Nullable LinkOutbox outbox;

	private @Nullable OnwardHandler onwardHandler;

	private @Nullable CrossLoopOnward crossLoop;

	private @Nullable OnwardStream onward;

	private @Nullable SmdRelay smd;

	private volatile @Nullable String streamType;

	private volatile long clientPid;

	// Received metadata names already warned about as unsendable; used on the link's loop.
	private final Set<String> unsendableMetadata = new HashSet<>();

	// Completed once the link closed and its onward stream, if any, was destroyed.
	private final CompletableFuture<Void> gone = new CompletableFuture<>();

	ProxyLink(SecureStreamsProxy proxy, long id) {
		this.proxy = proxy;
		this.id = id;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		Channel ch = ctx.channel();
		this.channel = ch;
		this.outbox = new LinkOutbox(ch, this::drained);
		this.proxy.register(this.id, this);
		if (this.proxy.isClosed()) {
			// Accepted while the proxy was closing, after it closed the links it knew.
			ch.close();
			return;
		}
		long wait = this.proxy.streamTypeTimeout().toMillis();
		this.streamTypeTimer = ch.eventLoop().schedule(() -> {
			if (!this.operational && ch.isActive()) {
				hangUp("no STREAMTYPE within " + wait + " ms of connecting");
			}
		}, wait, TimeUnit.MILLISECONDS);
		ctx.fireChannelActive();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		try {
			if (!ctx.channel().isActive()) {
				return;
			}
			if (!(msg instanceof SsMessage message)) {
				hangUp("unexpected message " + msg.getClass().getSimpleName());
				return;
			}
			if (!this.operational) {
				if (message instanceof ToProxy.StreamType request) {
					onStreamType(request);
				}
				else if (message.type() == FrameType.TIMEOUT_UPDATE || message.type() == FrameType.PAYLOAD_LENGTH_HINT
						|| message.type() == FrameType.TX_TXCR_UPDATE) {
					// libwebsockets' client sends a pending TIMEOUT_UPDATE first, on a new link ahead of
					// STREAMTYPE too; its proxy ignores these three while it has no stream to apply them to.
					// A client sends one at most: the rest are logged at debug, or a client writing them
					// for the three seconds it has would make a log line of every 7 bytes.
					if (this.ignoredBeforeStreamType++ == 0) {
						logger.info("{}: ignoring {} before STREAMTYPE: there is no stream yet", describe(),
								message.type());
					}
					else {
						logger.debug("{}: ignoring {} before STREAMTYPE ({} so far)", describe(), message.type(),
								this.ignoredBeforeStreamType);
					}
				}
				else {
					hangUp("expected STREAMTYPE as the first frame, got " + message.type());
				}
				return;
			}
			onOperational(message);
		}
		finally {
			ReferenceCountUtil.release(msg);
		}
	}

	private void onStreamType(ToProxy.StreamType request) {
		if (request.protocolVersion() != SsWire.PROTOCOL_VERSION) {
			hangUp("unsupported SSv" + request.protocolVersion());
			return;
		}
		String name = request.streamType();
		this.streamType = name;
		this.clientPid = request.clientPid();
		cancelTimer();
		this.operational = true;
		Channel ch = this.channel;
		if (SmdStream.STREAMTYPE.equals(name)) {
			this.smd = SmdRelay.start(describe(), request.initialTxCredit(), this.outbox, ch.alloc(), ch.eventLoop(),
					this.proxy.context().smd());
			return;
		}
		// One read of the policy for everything derived from it here (buffer sizes, the rideshare
		// chain, the onward stream), so that a change landing meanwhile cannot mix two versions.
		Policy active = this.proxy.context().policy();
		StreamTypePolicy policy = active.streamType(name);
		BufferSettings buffers = (policy != null) ? policy.buffers()
				: new BufferSettings(0, 0, 0, 0, 0, 0);
		boolean transactional = policy != null && (policy.protocol() == Protocol.H1 || policy.protocol() == Protocol.H2
				|| policy.protocol() == Protocol.H3);
		long holdLimit = 2 * buffers.effectiveProxyBuflen() + HOLD_SLACK;
		this.outbox.holdLimit(holdLimit, () -> {
			if (ch.isActive()) {
				hangUp("the client does not read: " + this.outbox.bufferedBytes() + " bytes wait for it, more than "
						+ "twice proxy_buflen and " + HOLD_SLACK + " (" + holdLimit + ")");
			}
		});
		OnwardHandler handler = new OnwardHandler(describe(), this.outbox, ch.alloc(), buffers,
				() -> ch.config().setAutoRead(true), () -> {
					logger.info("{}: closing: the onward stream was destroyed", describe());
					ch.close();
				}, transactional);
		OnwardStream stream;
		CrossLoopOnward cross = null;
		try {
			// MQTT streams live on the loop of their shared broker connection, not on the link's.
			EventLoop onwardLoop = OnwardStreams.affinityLoop(this.proxy.context(), active, name);
			// A local sink pair lives on a loop of its own choosing, like MQTT streams.
			if (onwardLoop != null || (policy != null && policy.localSink())) {
				cross = new CrossLoopOnward(describe(), handler, ch.eventLoop(), this.outbox, buffers,
						() -> ch.config().setAutoRead(true));
				handler.onTransactionEnd(cross::transactionEnded);
			}
			stream = OnwardStreams.create(this.proxy.context(), active, name, (cross != null) ? cross : handler,
					(onwardLoop != null) ? onwardLoop : ch.eventLoop(), onwardCredit(request.initialTxCredit()));
		}
		catch (SecureStreamsException ex) {
			// The message names the streamtype the client asked for.
			String reason = ClientText.loggable(String.valueOf(ex.getMessage()));
			if (this.proxy.creationWarnings().warnNow(name + ": " + reason)) {
				logger.warn("{}: stream creation failed for client pid {}: {} (repeats within a minute are logged "
						+ "at debug level)", describe(), this.clientPid, reason);
			}
			else {
				logger.debug("{}: stream creation failed for client pid {}: {}", describe(), this.clientPid, reason);
			}
			this.outbox.start(ToClient.CreateResult.FAILED, true);
			return;
		}
		this.onward = stream;
		this.onwardHandler = handler;
		this.crossLoop = cross;
		handler.stream(stream);
		BiConsumer<String, byte[]> toClient = this::receivedMetadata;
		IntConsumer creditToClient = this::peerTxCredit;
		if (cross != null) {
			cross.stream(stream);
			toClient = cross.onLinkLoop(toClient);
			creditToClient = cross.onLinkLoop(creditToClient);
		}
		stream.observeReceivedMetadata(toClient);
		stream.observeTxCredit(creditToClient);
		logger.debug("{}: created onward stream {} for client pid {}", describe(), stream.id(), this.clientPid);
		this.outbox.start(ToClient.CreateResult.ok(buffers.clientBuflen(), chain(active, name)), false);
	}

	/**
	 * Returns the credit the onward stream gives its peer, from the STREAMTYPE frame's field. A
	 * client that set none sends libwebsockets' default, 500000000, which the onward stream takes
	 * as automatic flow control: libwebsockets' proxy opens such h2 streams with a window of that
	 * size that only the client's TXCR_UPDATEs widen, so a response beyond 500 MB would stall
	 * there, and a stream paused by the proxy's rx flow control could take the whole receive
	 * window of the h2 connection it shares with other streams.
	 * @param fromClient the STREAMTYPE frame's credit
	 * @return the credit, or 0 for automatic flow control
	 */
	static int onwardCredit(int fromClient) {
		return (fromClient == SsWire.DEFAULT_INITIAL_TX_CREDIT || fromClient <= 0) ? 0 : fromClient;
	}

	/**
	 * Passes a response header the onward stream captured on to the client, except one that
	 * cannot travel: a 1-byte name with an empty value makes a METADATA frame of 2 bytes, which
	 * clients (ours and libwebsockets') hang up on, and the next link would capture it again. A
	 * value too large for a frame hangs up the link, as libwebsockets' proxy does: left out, the
	 * client would take the payload that follows as belonging to the value it had before.
	 * Runs on the link's loop.
	 */
	private void receivedMetadata(String name, byte[] value) {
		int body = 1 + name.getBytes(StandardCharsets.UTF_8).length + value.length;
		if (body > SsWire.MAX_BODY) {
			hangUp("metadata '" + name + "' from the onward stream needs a METADATA frame body of " + body
					+ " bytes, which does not fit a frame (at most " + SsWire.MAX_BODY + ")");
			return;
		}
		if (body < SsWire.MIN_METADATA_BODY) {
			if (this.unsendableMetadata.add(name)) {
				logger.warn("{}: not passing on metadata '{}' with an empty value: a 1-byte name with an empty "
						+ "value makes a METADATA frame of 2 bytes, which clients hang up on (at least {}); the client "
						+ "keeps the value it has", describe(), name, SsWire.MIN_METADATA_BODY);
			}
			return;
		}
		this.outbox.metadata(new ToClient.RxMetadata(name, value));
	}

	/**
	 * Tells the client the credit the onward stream's peer gave it (an h2 stream's send window
	 * when its response head arrived), in order with the states and payload, as the C proxy does.
	 * Runs on the link's loop.
	 */
	private void peerTxCredit(int credit) {
		this.outbox.fifo(new ToClient.RxCredit(credit));
	}

	private List<String> chain(Policy active, String name) {
		List<String> chain = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		String next = name;
		while (next != null && seen.add(next)) {
			if (chain.size() == MAX_CHAIN) {
				logger.warn("{}: rideshare chain longer than {} streamtypes; sending the first {}", describe(),
						MAX_CHAIN, MAX_CHAIN);
				break;
			}
			chain.add(next);
			StreamTypePolicy policy = active.streamType(next);
			next = (policy != null) ? policy.rideshare() : null;
		}
		return chain;
	}

	private void onOperational(SsMessage message) {
		SmdRelay relay = this.smd;
		if (relay != null) {
			String refused = relay.received(message);
			if (refused != null) {
				hangUp(refused);
			}
			return;
		}
		OnwardStream stream = this.onward;
		OnwardHandler handler = this.onwardHandler;
		if (stream == null || handler == null) {
			hangUp(message.type() + " after a failed creation");
			return;
		}
		switch (message.type()) {
			case STREAMTYPE -> hangUp("a second STREAMTYPE");
			case DESTROYING -> hangUp("the client sent DESTROYING");
			case ONWARD_CONNECT -> stream.onwardConnect();
			case TX_PAYLOAD -> {
				ToProxy.TxPayload payload = (ToProxy.TxPayload) message;
				if (!handler.admit(payload.flags())) {
					logger.debug("{}: dropping a TX_PAYLOAD of {} bytes: its onward transaction ended", describe(),
							payload.payload().readableBytes());
					return;
				}
				payload.retain();
				CrossLoopOnward cross = this.crossLoop;
				if ((cross != null) ? cross.queueTx(payload) : handler.queueTx(payload)) {
					// The onward connection takes the payload more slowly than the client sends it.
					this.channel.config().setAutoRead(false);
				}
			}
			case TX_METADATA -> {
				ToProxy.TxMetadata metadata = (ToProxy.TxMetadata) message;
				if (!stream.metadataValues().isAllowed(metadata.name())) {
					hangUp("metadata '" + metadata.name() + "' not in proxy policy");
					return;
				}
				try {
					stream.setMetadata(metadata.name(), metadata.value());
				}
				catch (IllegalArgumentException ex) {
					// A value the policy cannot send (CR or LF in a header value): the client's fault.
					hangUp(ex.getMessage());
				}
			}
			case TX_TXCR_UPDATE -> {
				int delta = ((ToProxy.TxCredit) message).delta();
				if (delta <= 0) {
					// h2 has no way to take credit back, and a WINDOW_UPDATE of 0 is a protocol error.
					logger.debug("{}: ignoring a tx credit update of {}", describe(), delta);
				}
				else {
					// Only an h2 onward stream acts on it, as with libwebsockets' proxy.
					stream.addPeerTxCredit(delta);
				}
			}
			case TIMEOUT_UPDATE -> {
				long millis = ((ToProxy.TimeoutUpdate) message).millis();
				if (millis == SsWire.TIMEOUT_CANCEL) {
					stream.cancelTimeout();
				}
				else {
					stream.startTimeout(millis);
				}
			}
			case PAYLOAD_LENGTH_HINT -> stream.requestTxLen(((ToProxy.PayloadLengthHint) message).length());
			default -> hangUp("unexpected " + message.type());
		}
	}

	private void drained() {
		OnwardHandler handler = this.onwardHandler;
		if (handler != null) {
			handler.checkRxFlow();
		}
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		if (this.outbox != null) {
			this.outbox.flush();
		}
		drained();
		ctx.fireChannelWritabilityChanged();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (cause instanceof WireException) {
			hangUp(cause.getMessage());
		}
		else if (cause instanceof IOException) {
			logger.debug("{}: link failed: {}", describe(), cause.toString());
			ctx.close();
		}
		else {
			logger.warn("{}: closing the link after an unexpected error", describe(), cause);
			ctx.close();
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		cancelTimer();
		// The decoder, before this handler, has just dropped what the client sent of a frame it
		// did not finish: payload its onward stream never gets.
		SsFrameDecoder decoder = ctx.pipeline().get(SsFrameDecoder.class);
		String unfinished = (decoder != null) ? decoder.unfinishedFrame() : null;
		if (unfinished != null) {
			logger.info("{}: the client closed the link in the middle of a frame: {} dropped", describe(), unfinished);
		}
		this.proxy.unregister(this.id);
		if (this.crossLoop != null) {
			this.crossLoop.linkClosed();
		}
		else if (this.onwardHandler != null) {
			this.onwardHandler.linkClosed();
		}
		if (this.smd != null) {
			this.smd.close();
		}
		if (this.outbox != null) {
			this.outbox.discard();
		}
		OnwardStream stream = this.onward;
		if (stream != null) {
			stream.destroy();
			stream.whenDestroyed().whenComplete((done, ex) -> this.gone.complete(null));
		}
		else {
			this.gone.complete(null);
		}
		logger.debug("{}: link closed", describe());
		ctx.fireChannelInactive();
	}

	/**
	 * Closes the link because the proxy is closing.
	 * @return completes once the link is closed, unregistered and its onward stream destroyed, or
	 * {@code null} before the link was active (it closes itself when it becomes active)
	 */
	@Nullable CompletableFuture<Void> close() {
		Channel ch = this.channel;
		if (ch == null) {
			return null;
		}
		ch.close();
		return this.gone;
	}

	private void hangUp(String reason) {
		// A reason may name what the client sent (a metadata name).
		logger.warn("{}: hanging up: {}", describe(), ClientText.loggable(reason));
		if (this.channel != null) {
			this.channel.close();
		}
	}

	private void cancelTimer() {
		if (this.streamTypeTimer != null) {
			this.streamTypeTimer.cancel(false);
			this.streamTypeTimer = null;
		}
	}

	private String describe() {
		String type = this.streamType;
		return "ss proxy link " + this.id + ((type != null) ? " (" + ClientText.loggable(type) + ")" : "");
	}

	ProxyLinkInfo info() {
		LinkOutbox box = this.outbox;
		OnwardHandler handler = this.onwardHandler;
		return new ProxyLinkInfo(this.id, this.streamType, this.clientPid, (box != null) ? box.bufferedBytes() : 0,
				(box != null) ? box.peakBytes() : 0, handler != null && handler.rxPaused());
	}

}
