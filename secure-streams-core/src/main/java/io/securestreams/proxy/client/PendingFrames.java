package io.securestreams.proxy.client;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.protocol.TxResult;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import org.jspecify.annotations.Nullable;

/**
 * What a proxied stream owes its proxy until its link can take it: a timeout update, metadata
 * values, a length hint, an ONWARD_CONNECT, and the application's request to send with the
 * progress through an announced length. The stream takes the payload itself from its handler.
 * Used only on the stream's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class PendingFrames {

	/** Every metadata value set, for the onward stream of each new link. */
	private final Map<String, byte[]> metadataSet = new LinkedHashMap<>();

	/** The metadata values the current link has not carried yet, oldest first. */
	private final Map<String, byte[]> metadataPending = new LinkedHashMap<>();

	private boolean connectRequested;

	/**
	 * Whether an ONWARD_CONNECT went out and the onward stream reported no outcome of it since
	 * (CONNECTED, DISCONNECTED, UNREACHABLE or AUTH_FAILED, where libwebsockets' client ends its
	 * ONWARD_CONNECT too): the application is still owed one.
	 */
	private boolean connectUnanswered;

	private boolean txRequested;

	/** Requests to send made so far, and that count when the handler's last onTx began. */
	private int requests;

	private int requestsAtTx;

	private long lengthHint = -1;

	/**
	 * The length hint last sent on this link, until the onward stream reports CONNECTED: the
	 * transaction an unanswered ONWARD_CONNECT asks for again on a new link needs it again.
	 */
	private long hintSent = -1;

	private long announced = -1;

	private long txSent;

	/** A length announced while a message was going out: the next message's. */
	private long nextAnnounced = -1;

	/** Whether the handler wrote part of a message that has not ended yet. */
	private boolean messageOpen;

	private @Nullable Long timeoutUpdate;

	/** Credit the application granted the peer since the last TXCR_UPDATE went out. */
	private int peerTxCredit;

	/** The timeout last sent to the proxy and not cancelled nor expired since, or -1. */
	private long armedMillis = -1;

	private long armedAtNanos;

	/** The metadata names whose value could not travel, warned about once each. */
	private final Set<String> withdrawn = new HashSet<>();

	private final MetadataRefusals refusals = new MetadataRefusals();

	/** The several suspects last named, so that they are named once. */
	private Set<String> suspectsNamed = Set.of();

	// The streamtype and its rideshare chain from CREATE_RESULT, and the part tx now fills.
	private volatile List<String> parts = List.of();

	private volatile int part;

	void requestTx() {
		this.requests++;
		this.txRequested = true;
		this.connectRequested = true;
	}

	void requestTxLen(long length) {
		this.requests++;
		this.lengthHint = length;
		if (this.messageOpen) {
			this.nextAnnounced = length;
		}
		else {
			this.announced = length;
			this.txSent = 0;
		}
		this.txRequested = true;
		this.connectRequested = true;
	}

	/**
	 * Asks for an ONWARD_CONNECT.
	 * @param needed whether the onward connection is not up; if it is, nothing is asked
	 */
	void requestConnect(boolean needed) {
		this.connectRequested |= needed;
	}

	void metadata(String name, byte[] value) {
		this.metadataSet.put(name, value);
		this.metadataPending.remove(name);
		this.metadataPending.put(name, value);
		this.refusals.setAgain(name);
	}

	/**
	 * Forgets a name whose value cannot travel (see {@code SsWire.MIN_METADATA_BODY}): neither
	 * the current link nor a new one carries an older value of it.
	 * @param name the metadata name
	 * @return {@code true} the first time for the name, so that the caller warns once
	 */
	boolean withdraw(String name) {
		this.metadataSet.remove(name);
		this.metadataPending.remove(name);
		return this.withdrawn.add(name);
	}

	/**
	 * Adds to the credit to grant the peer in the next TXCR_UPDATE; grants that meet before a
	 * link can take them travel as one (at most 2^31-1, what the frame and h2 can carry). The
	 * proxy's onward stream applies a grant to the transaction it has open, or drops it.
	 * @param delta the bytes granted, positive
	 */
	void peerTxCredit(int delta) {
		this.peerTxCredit = (int) Math.min(Integer.MAX_VALUE, (long) this.peerTxCredit + delta);
	}

	/**
	 * Sets the timeout update to send.
	 * @param millis the timeout, or {@code SsWire.TIMEOUT_CANCEL}
	 */
	void timeout(long millis) {
		this.timeoutUpdate = millis;
	}

	/**
	 * The proxy reported TIMEOUT: the timer it ran for this stream is done.
	 */
	void timedOut() {
		this.armedMillis = -1;
	}

	/**
	 * A new link is up: it means a new onward stream at the proxy, which needs every metadata
	 * value again, and the timer the old one ran. The handler's timer outlives links as its
	 * metadata does (libwebsockets' client sends neither again, so a timer started before a link
	 * dropped never fires). It is armed again with the time it had left, so that it expires when
	 * the handler expects; one that was due meanwhile expires at once. A timer of the policy's
	 * {@code timeout_ms} (0), whose length only the proxy knows, starts over.
	 */
	void linkReplaced() {
		this.metadataPending.putAll(this.metadataSet);
		// The old link's onward stream took the unanswered attempt with it (a DISCONNECT_ME from
		// CONNECTING, POLL or TIMEOUT hangs up the link), and the handler, which saw no CONNECTED,
		// gets no DISCONNECTED for it: the new onward stream is asked to connect instead, as a
		// direct stream backs off and tries again, else the request is lost without a word.
		this.connectRequested |= this.connectUnanswered;
		if (this.connectUnanswered && this.lengthHint < 0) {
			// Else the new onward stream makes the request without its body length (a GET none, a PUT an empty one).
			this.lengthHint = this.hintSent;
		}
		if (this.timeoutUpdate == null && this.armedMillis >= 0) {
			long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.armedAtNanos);
			this.timeoutUpdate = (this.armedMillis == 0) ? 0 : Math.max(1, this.armedMillis - elapsed);
		}
	}

	/**
	 * Writes what is pending besides payload, in libwebsockets' client priority order: a timeout
	 * update first, then metadata, a credit grant and the length hint once the proxy created its
	 * stream, then ONWARD_CONNECT while the onward connection is not up.
	 * @param ch the link's channel; not flushed here
	 * @param phase how far the link got
	 */
	void writeControl(Channel ch, LinkPhase phase) {
		if (this.timeoutUpdate != null) {
			long millis = this.timeoutUpdate;
			ch.write(new ToProxy.TimeoutUpdate(millis));
			this.timeoutUpdate = null;
			this.armedMillis = (millis == SsWire.TIMEOUT_CANCEL) ? -1 : millis;
			this.armedAtNanos = System.nanoTime();
		}
		if (phase.created()) {
			this.metadataPending.forEach((name, value) -> {
				ch.write(new ToProxy.TxMetadata(name, value));
				this.refusals.written(name);
			});
			this.metadataPending.clear();
			if (this.peerTxCredit > 0) {
				ch.write(new ToProxy.TxCredit(this.peerTxCredit));
				this.peerTxCredit = 0;
			}
			if (this.lengthHint >= 0) {
				ch.write(new ToProxy.PayloadLengthHint(this.lengthHint));
				this.hintSent = this.lengthHint;
				this.lengthHint = -1;
			}
		}
		if (phase == LinkPhase.LOCAL_CONNECTED && this.connectRequested) {
			this.connectRequested = false;
			this.connectUnanswered = true;
			ch.write(new ToProxy.OnwardConnect());
			this.refusals.connectWritten();
		}
	}

	/**
	 * The proxy reported a state of the onward stream.
	 * @param state the state
	 */
	void onwardState(StreamState state) {
		if (state == StreamState.CONNECTED || state == StreamState.DISCONNECTED || state == StreamState.UNREACHABLE
				|| state == StreamState.AUTH_FAILED) {
			if (this.connectUnanswered) {
				this.refusals.connectAnswered();
			}
			this.connectUnanswered = false;
		}
		if (state == StreamState.CONNECTED) {
			this.hintSent = -1;
		}
	}

	/**
	 * The proxy closed the link: names the metadata it keeps closing links on (see
	 * {@link MetadataRefusals}). A single such value is not sent again; the stream keeps it
	 * locally, as a value that cannot travel. Of several, which one is refused cannot be told, so
	 * all are still sent (failing closed rather than connecting without values the request needs),
	 * and they are named once.
	 * @return the verdict to log, or {@code null} when there is nothing new to say
	 */
	@Nullable RefusedMetadata proxyClosedLink() {
		List<String> named = this.refusals.proxyClosed();
		if (named.size() == 1) {
			this.metadataSet.remove(named.get(0));
			this.metadataPending.remove(named.get(0));
			return new RefusedMetadata(named, true);
		}
		if (named.isEmpty() || Set.copyOf(named).equals(this.suspectsNamed)) {
			return null;
		}
		this.suspectsNamed = Set.copyOf(named);
		return new RefusedMetadata(named, false);
	}

	/**
	 * Metadata the proxy keeps closing links on.
	 * @param names the names, oldest first
	 * @param withdrawn whether the value is no longer sent (a single name)
	 */
	record RefusedMetadata(List<String> names, boolean withdrawn) {
	}

	/** The client closed the link itself: it says nothing about the metadata the link carried. */
	void clientClosedLink() {
		this.refusals.linkGone();
	}

	boolean txRequested() {
		return this.txRequested;
	}

	/**
	 * Returns the bytes still owed of the announced length.
	 * @return the count, or -1 when no length was announced
	 */
	long remaining() {
		return (this.announced >= 0) ? this.announced - this.txSent : -1;
	}

	/**
	 * The proxy created its stream: keeps the streamtype's rideshare chain, whose parts one http
	 * body carries in turn (an EOM before the last part's ends a part, not the message).
	 * @param chain the streamtype followed by its rideshares, as CREATE_RESULT lists them
	 */
	void rideshares(List<String> chain) {
		this.parts = List.copyOf(chain);
		this.part = 0;
	}

	/**
	 * Returns the streamtype whose part the next tx fills.
	 * @param own the stream's streamtype, when the proxy named no chain
	 * @return the streamtype
	 */
	String rideshare(String own) {
		List<String> chain = this.parts;
		int current = this.part;
		return (current < chain.size()) ? chain.get(current) : own;
	}

	/** The onward transaction ended: a body in parts starts again from the first. */
	void onwardEnded() {
		this.part = 0;
	}

	/**
	 * The onward connection ended, or the link and its onward stream went: a message it was
	 * carrying cannot go on there, so its remaining length no longer counts, and a length
	 * announced while it went out becomes the next message's, as a direct stream's ended
	 * connection takes its message with it. Else the next {@code requestTxLen} would only be
	 * taken for the message after, and the body it announced would be cut at what the old one
	 * had left, with the proxy's onward request waiting for the rest.
	 */
	void abandonMessage() {
		if (this.messageOpen) {
			this.announced = this.nextAnnounced;
			this.nextAnnounced = -1;
			this.txSent = 0;
			this.messageOpen = false;
		}
	}

	/** The handler's onTx is about to be called: requests made from inside it count as new. */
	void txStarting() {
		this.requestsAtTx = this.requests;
	}

	private boolean askedDuringTx() {
		return this.requests != this.requestsAtTx;
	}

	/**
	 * The handler had nothing to send: the request to send is dropped, unless the handler asked
	 * again from that call, but not the ONWARD_CONNECT it asked for. Unlike in libwebsockets'
	 * client, a request made while CONNECTED that sends nothing (the onward transaction is ending,
	 * for example after QOS_ACK_REMOTE) so becomes an ONWARD_CONNECT once the proxy reports the
	 * onward connection gone.
	 */
	void txDeclined() {
		this.txRequested = askedDuringTx();
	}

	/**
	 * The handler filled a payload frame.
	 * @param result what it wrote
	 */
	void txTaken(TxResult result) {
		this.txSent += result.length();
		// The request was served over the onward connection: no new one is needed for it.
		this.connectRequested = false;
		boolean eom = StreamFlags.has(result.flags(), StreamFlags.EOM);
		if (eom && this.part + 1 < this.parts.size() && !(this.announced >= 0 && this.txSent >= this.announced)) {
			// The end of a part whose rideshare chain goes on: the body, and the request, go on.
			this.part++;
			this.messageOpen = true;
			return;
		}
		if (eom || (this.announced >= 0 && this.txSent >= this.announced)) {
			// A request made from the call that ended the message asks for the next message.
			boolean next = askedDuringTx();
			this.connectRequested = next;
			this.part = 0;
			this.txRequested = next;
			this.announced = this.nextAnnounced;
			this.nextAnnounced = -1;
			this.txSent = 0;
			this.messageOpen = false;
		}
		else {
			this.messageOpen = true;
		}
	}

}
