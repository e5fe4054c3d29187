package io.securestreams.protocol.h2;

import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.securestreams.ProtocolLimits;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.metadata.MetadataValues;
import io.securestreams.policy.AuthScheme;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.StreamLink;
import io.securestreams.protocol.TxResult;
import io.securestreams.protocol.CookieJar;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.ConnectionTimings;
import org.jspecify.annotations.Nullable;

/**
 * The link an {@link H2Exchange}'s transaction talks to: everything goes to the stream's own
 * link, and this remembers whether the application has taken part in the transaction yet (handed
 * over request payload, or been told a state or response payload). Only a transaction the
 * application has not taken part in can be sent again on another h2 stream without it noticing:
 * the payload its {@code onTx} gave is gone (the next {@code onTx} would carry on from where it
 * was, not start the body again), and a state it heard would be reported twice.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ReplayWatch implements StreamLink {

	private final StreamLink link;

	private boolean involved;

	ReplayWatch(StreamLink link) {
		this.link = link;
	}

	/**
	 * Returns whether the transaction may be sent again unseen.
	 * @return {@code true} while the application has neither given payload nor heard anything
	 */
	boolean replayable() {
		return !this.involved;
	}

	@Override
	public long streamId() {
		return this.link.streamId();
	}

	@Override
	public StreamTypePolicy policy() {
		return this.link.policy();
	}

	@Override
	public @Nullable RetryPolicy retryPolicy() {
		return this.link.retryPolicy();
	}

	@Override
	public ProtocolLimits limits() {
		return this.link.limits();
	}

	@Override
	public EventLoop eventLoop() {
		return this.link.eventLoop();
	}

	@Override
	public MetadataValues metadata() {
		return this.link.metadata();
	}

	@Override
	public SystemBlobs blobs() {
		return this.link.blobs();
	}

	@Override
	public CookieJar cookies() {
		return this.link.cookies();
	}

	@Override
	public boolean isProxied() {
		return this.link.isProxied();
	}

	@Override
	public boolean isActive() {
		return this.link.isActive();
	}

	@Override
	public boolean txRequested() {
		return this.link.txRequested();
	}

	@Override
	public boolean takeTxRequest() {
		return this.link.takeTxRequest();
	}

	@Override
	public long txLength() {
		return this.link.txLength();
	}

	@Override
	public void txLengthConsumed() {
		this.link.txLengthConsumed();
	}

	@Override
	public long txLengthSerial() {
		return this.link.txLengthSerial();
	}

	@Override
	public void txLengthConsumed(long serial) {
		this.link.txLengthConsumed(serial);
	}

	@Override
	public TxResult tx(ByteBuf buffer) {
		return given(this.link.tx(buffer));
	}

	@Override
	public TxResult tx(ByteBuf buffer, long remaining) {
		return given(this.link.tx(buffer, remaining));
	}

	// An answer that sends nothing (TX_DONT_SEND) leaves the application where it was.
	private TxResult given(TxResult result) {
		if (result.send() && (result.length() > 0 || result.flags() != 0)) {
			this.involved = true;
		}
		return result;
	}

	@Override
	public StreamResult state(StreamState state) {
		this.involved = true;
		return this.link.state(state);
	}

	@Override
	public StreamResult rx(ByteBuf data, int flags) {
		this.involved = true;
		return this.link.rx(data, flags);
	}

	@Override
	public void receivedMetadata(String name, byte[] value) {
		this.link.receivedMetadata(name, value);
	}

	@Override
	public void peerTxCredit(int credit) {
		this.link.peerTxCredit(credit);
	}

	@Override
	public List<StreamTypePolicy> rideshares() {
		return this.link.rideshares();
	}

	@Override
	public void rideshare(String streamType) {
		this.link.rideshare(streamType);
	}

	@Override
	public void receivedHeaders(Iterable<Map.Entry<CharSequence, CharSequence>> headers) {
		this.link.receivedHeaders(headers);
	}

	@Override
	public void httpStatus(int status) {
		this.link.httpStatus(status);
	}

	@Override
	public void connectedEarly() {
		this.link.connectedEarly();
	}

	@Override
	public void established() {
		this.link.established();
	}

	@Override
	public @Nullable AuthScheme authScheme() {
		return this.link.authScheme();
	}

	@Override
	public @Nullable ConnectionTimings timings() {
		return this.link.timings();
	}

	@Override
	public @Nullable ConnectTarget nextTarget() {
		return this.link.nextTarget();
	}

	@Override
	public void connectFailed(Throwable cause) {
		this.link.connectFailed(cause);
	}

	@Override
	public void retryLater(long minDelayMillis) {
		this.link.retryLater(minDelayMillis);
	}

	@Override
	public void closed(boolean reconnect) {
		this.link.closed(reconnect);
	}

	@Override
	public boolean closingForPolicyChange() {
		return this.link.closingForPolicyChange();
	}

}
