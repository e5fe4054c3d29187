package io.securestreams.protocol.mqtt;

import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.policy.RetryPolicy;
import org.jspecify.annotations.Nullable;

/**
 * The PINGREQ timers of one network connection. Two rules drive them:
 * <ul>
 * <li>MQTT keep-alive: when nothing was sent for {@code mqtt_keep_alive} seconds, a PINGREQ is
 * sent; with no validity settings, a PINGRESP must then arrive within the keep-alive period.</li>
 * <li>Validity ({@code svalidping}/{@code svalidhup} of the retry policy, as libwebsockets does it):
 * when the connection was last proven alive {@code svalidping} seconds ago, a PINGREQ is sent;
 * when it was last proven alive {@code svalidhup} seconds ago, the connection is closed.
 * {@code svalidhup} 0 turns this rule off; {@code svalidping >= svalidhup} hangs up without
 * pinging first.</li>
 * </ul>
 * The connection is proven alive by the CONNACK, a PINGRESP, any acknowledgement of what we sent,
 * or the application's {@code validityConfirmed()}. Timers are evaluated lazily: sends and
 * confirmations only record a time, and the single timer re-arms itself when it fires early.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttKeepAlive {

	/** What to do when a deadline passes. */
	interface Actions {

		void ping();

		void hangUp(String reason);

	}

	private final EventLoop loop;

	private final Actions actions;

	private final long keepAliveNanos;

	private final long validPingNanos;

	private final long validHangupNanos;

	private long lastSent;

	private long lastValid;

	private long pingSent;

	private boolean pingOutstanding;

	private boolean stopped;

	private @Nullable ScheduledFuture<?> timer;

	private long timerDeadline;

	MqttKeepAlive(EventLoop loop, Actions actions, int keepAliveSeconds, @Nullable RetryPolicy retry) {
		this.loop = loop;
		this.actions = actions;
		this.keepAliveNanos = TimeUnit.SECONDS.toNanos(keepAliveSeconds);
		int hangup = (retry != null) ? retry.validHangupSeconds() : 0;
		int ping = (retry != null) ? retry.validPingSeconds() : 0;
		this.validHangupNanos = TimeUnit.SECONDS.toNanos(hangup);
		this.validPingNanos = (hangup > 0 && ping > 0 && ping < hangup) ? TimeUnit.SECONDS.toNanos(ping) : 0;
	}

	void start() {
		long now = System.nanoTime();
		this.lastSent = now;
		this.lastValid = now;
		arm();
	}

	void sent() {
		this.lastSent = System.nanoTime();
	}

	void confirmed() {
		this.lastValid = System.nanoTime();
		if (this.pingOutstanding) {
			this.pingOutstanding = false;
			// While the ping was out only the hang-up deadline was armed, which can be far later
			// than the next keep-alive ping now due; without this the broker's 1.5 x keep-alive
			// rule would drop an idle connection.
			arm();
		}
	}

	void stop() {
		this.stopped = true;
		if (this.timer != null) {
			this.timer.cancel(false);
			this.timer = null;
		}
	}

	private long nextDeadline() {
		long next = Long.MAX_VALUE;
		if (this.validHangupNanos > 0) {
			next = Math.min(next, this.lastValid + this.validHangupNanos);
			if (this.validPingNanos > 0 && !this.pingOutstanding) {
				next = Math.min(next, this.lastValid + this.validPingNanos);
			}
		}
		if (this.keepAliveNanos > 0) {
			if (this.pingOutstanding && this.validHangupNanos == 0) {
				next = Math.min(next, this.pingSent + this.keepAliveNanos);
			}
			else if (!this.pingOutstanding) {
				next = Math.min(next, this.lastSent + this.keepAliveNanos);
			}
		}
		return next;
	}

	private void arm() {
		long deadline = nextDeadline();
		if (this.stopped || deadline == Long.MAX_VALUE) {
			return;
		}
		if (this.timer != null && this.timerDeadline <= deadline) {
			return;
		}
		if (this.timer != null) {
			this.timer.cancel(false);
		}
		this.timerDeadline = deadline;
		this.timer = this.loop.schedule(this::fire, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
	}

	private void fire() {
		this.timer = null;
		if (this.stopped) {
			return;
		}
		long now = System.nanoTime();
		if (this.validHangupNanos > 0 && now - this.lastValid >= this.validHangupNanos) {
			this.actions.hangUp("not proven alive for " + TimeUnit.NANOSECONDS.toSeconds(this.validHangupNanos)
					+ " s (svalidhup)");
			return;
		}
		if (this.pingOutstanding && this.validHangupNanos == 0 && now - this.pingSent >= this.keepAliveNanos) {
			this.actions.hangUp("no PINGRESP within the keep-alive of "
					+ TimeUnit.NANOSECONDS.toSeconds(this.keepAliveNanos) + " s");
			return;
		}
		boolean keepAliveDue = this.keepAliveNanos > 0 && now - this.lastSent >= this.keepAliveNanos;
		boolean validityDue = this.validPingNanos > 0 && now - this.lastValid >= this.validPingNanos;
		if (!this.pingOutstanding && (keepAliveDue || validityDue)) {
			this.pingOutstanding = true;
			this.pingSent = now;
			this.actions.ping();
		}
		arm();
	}

}
