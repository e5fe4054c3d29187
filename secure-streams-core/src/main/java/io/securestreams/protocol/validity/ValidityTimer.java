package io.securestreams.protocol.validity;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.policy.RetryPolicy;
import org.jspecify.annotations.Nullable;

/**
 * Checks that a connection is alive, as libwebsockets does with the retry policy's
 * {@code svalidping} and {@code svalidhup}: when nothing proved the connection alive for the
 * ping interval, the binding's keepalive is sent; when nothing proves it alive within the
 * hang-up interval (counted from the last proof), the connection is hung up. With a ping
 * interval of 0, or one not shorter than the hang-up interval, no keepalive is sent and only the
 * hang-up timer runs; a hang-up interval of 0 disables the check.
 * <p>
 * What counts as proof of life is the binding's choice (ws takes only a PONG, as libwebsockets
 * does; raw, without a keepalive, only the connection's start; an application's
 * {@code validityConfirmed()} counts everywhere). Proof is cheap to report
 * ({@link #confirmed()} records the time, and only the first proof after a keepalive
 * reschedules the timer), so a binding may call it for every frame received. Every method must
 * be called on the connection's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class ValidityTimer {

	/** Ping interval of a connection whose stream has no retry policy (reference 5.4). */
	public static final Duration DEFAULT_PING = Duration.ofSeconds(40);

	/** Hang-up interval of a connection whose stream has no retry policy (reference 5.4). */
	public static final Duration DEFAULT_HANGUP = Duration.ofSeconds(50);

	private final EventLoop loop;

	private final long pingNanos;

	private final long hangupNanos;

	private final Runnable ping;

	private final Runnable hangUp;

	private long lastProof;

	private long pingSentAt = -1;

	private @Nullable ScheduledFuture<?> timer;

	private boolean stopped;

	/**
	 * Creates a timer.
	 * @param loop the connection's event loop
	 * @param pingInterval quiet time before the keepalive is sent, zero for none
	 * @param hangupInterval quiet time before the connection is hung up, zero to disable
	 * @param ping sends the protocol's keepalive
	 * @param hangUp closes the connection ("validity timeout")
	 */
	public ValidityTimer(EventLoop loop, Duration pingInterval, Duration hangupInterval, Runnable ping,
			Runnable hangUp) {
		this.loop = loop;
		this.hangupNanos = hangupInterval.toNanos();
		long pingValue = pingInterval.toNanos();
		this.pingNanos = (pingValue > 0 && pingValue < this.hangupNanos) ? pingValue : 0;
		this.ping = ping;
		this.hangUp = hangUp;
	}

	/**
	 * Creates a timer from a retry policy's {@code svalidping} and {@code svalidhup}; without a
	 * retry policy, from the context defaults libwebsockets gives a connection that has none
	 * ({@link #DEFAULT_PING} and {@link #DEFAULT_HANGUP}).
	 * @param loop the connection's event loop
	 * @param policy the retry policy, {@code null} for none
	 * @param ping sends the protocol's keepalive
	 * @param hangUp closes the connection
	 * @return the timer
	 */
	public static ValidityTimer fromPolicy(EventLoop loop, @Nullable RetryPolicy policy, Runnable ping,
			Runnable hangUp) {
		Duration pingInterval = (policy != null) ? Duration.ofSeconds(policy.validPingSeconds()) : DEFAULT_PING;
		Duration hangup = (policy != null) ? Duration.ofSeconds(policy.validHangupSeconds()) : DEFAULT_HANGUP;
		return new ValidityTimer(loop, pingInterval, hangup, ping, hangUp);
	}

	/**
	 * Returns how long a quiet connection waits before its keepalive.
	 * @return the interval, zero when no keepalive is sent
	 */
	public Duration pingInterval() {
		return Duration.ofNanos(this.pingNanos);
	}

	/**
	 * Returns how long a connection may go without proof of life before it is hung up.
	 * @return the interval, zero when the check is off
	 */
	public Duration hangupInterval() {
		return Duration.ofNanos(this.hangupNanos);
	}

	/**
	 * Returns whether the timer does anything.
	 * @return {@code false} when the hang-up interval is zero
	 */
	public boolean isEnabled() {
		return this.hangupNanos > 0;
	}

	/**
	 * Starts checking; the connection counts as just proved alive.
	 */
	public void start() {
		this.lastProof = System.nanoTime();
		this.stopped = false;
		arm();
	}

	/**
	 * Records proof that the connection is alive (what the binding takes as proof, such as the
	 * answer to its keepalive, or the application's {@code validityConfirmed}).
	 */
	public void confirmed() {
		this.lastProof = System.nanoTime();
		if (this.pingSentAt >= 0 && !this.stopped) {
			// The answer to a keepalive restarts the ping interval from now (as libwebsockets
			// re-arms svalidping on confirmation); the timer would otherwise wait for the end of
			// the hang-up window. Only the first proof after a ping reschedules, so this stays cheap.
			this.pingSentAt = -1;
			arm();
		}
	}

	/**
	 * Stops checking, for example when the connection closed.
	 */
	public void stop() {
		this.stopped = true;
		if (this.timer != null) {
			this.timer.cancel(false);
			this.timer = null;
		}
	}

	private void arm() {
		if (!isEnabled() || this.stopped) {
			return;
		}
		if (this.timer != null) {
			// confirmed() may have re-armed already (a keepalive answered from inside ping.run()).
			this.timer.cancel(false);
		}
		long due;
		if (this.pingSentAt >= 0) {
			due = this.pingSentAt + (this.hangupNanos - this.pingNanos);
		}
		else {
			due = this.lastProof + ((this.pingNanos > 0) ? this.pingNanos : this.hangupNanos);
		}
		long delay = Math.max(TimeUnit.MILLISECONDS.toNanos(1), due - System.nanoTime());
		this.timer = this.loop.schedule(this::check, delay, TimeUnit.NANOSECONDS);
	}

	private void check() {
		this.timer = null;
		if (this.stopped) {
			return;
		}
		long now = System.nanoTime();
		if (this.pingSentAt >= 0) {
			if (this.lastProof >= this.pingSentAt) {
				this.pingSentAt = -1;
			}
			else if (now - this.pingSentAt >= this.hangupNanos - this.pingNanos) {
				expire();
				return;
			}
		}
		else if (this.pingNanos == 0) {
			if (now - this.lastProof >= this.hangupNanos) {
				expire();
				return;
			}
		}
		else if (now - this.lastProof >= this.pingNanos) {
			this.pingSentAt = now;
			this.ping.run();
		}
		arm();
	}

	private void expire() {
		this.stopped = true;
		this.hangUp.run();
	}

}
