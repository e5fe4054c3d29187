package io.securestreams.transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channels open on a context's event loops, which are ended before the loops stop.
 * <p>
 * Stopping loops cancel their scheduled tasks and, once past their last pass, refuse new ones. A
 * channel whose close a handler completes in a later task therefore never closed through its
 * pipeline when the loops stopped right after the close was asked for: an h2 connection with a
 * stream still open sends GOAWAY and closes from a scheduled task, and lost that way, its
 * inactive event never ran and the DATA it had queued for a window the client never opened was
 * never released. So the channels are closed, and their ends handled, while the loops still run.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class OpenChannels {

	private static final Logger logger = LoggerFactory.getLogger(OpenChannels.class);

	/** The most to wait for the loops to handle the ends, after the closes themselves. */
	private static final Duration CATCH_UP_WAIT = Duration.ofSeconds(1);

	/** Rounds of closes: the first closes the listeners, the second what they accepted meanwhile. */
	private static final int MAX_ROUNDS = 4;

	private final Set<Channel> open = ConcurrentHashMap.newKeySet();

	/**
	 * Lists a channel until it closes.
	 * @param channel a channel registered, or about to be, on one of the loops
	 */
	void track(Channel channel) {
		if (this.open.add(channel)) {
			channel.closeFuture().addListener((closed) -> this.open.remove(channel));
		}
	}

	/**
	 * Closes every listed channel through its pipeline, so that its handlers say goodbye (TLS
	 * close_notify, h2 GOAWAY); a channel still open after the timeout is closed at once, past its
	 * handlers. Then waits until each loop has run the tasks the closes queued, among them every
	 * channel's inactive event, in which handlers release what they hold. Must not run on one of
	 * the loops, which it waits for.
	 * <p>
	 * A channel listed once the list was read is closed in a further round: a listening channel
	 * that no stream closes first (the proxy's) can accept a connection just before its own close,
	 * and the loop lists that connection only later. Once the listeners are closed and the loops
	 * have caught up, no further channel comes, so a second round empties the list; the rounds
	 * are bounded all the same.
	 * @param loops the loops the channels are registered on
	 * @param timeout the most to wait for the closes through the pipelines
	 */
	void closeAll(EventLoopGroup loops, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		Set<Channel> asked = new HashSet<>();
		for (int round = 0; round < MAX_ROUNDS; round++) {
			List<Channel> closing = new ArrayList<>();
			for (Channel channel : this.open) {
				if (asked.add(channel)) {
					closing.add(channel);
				}
			}
			// The first round catches up with the loops even when nothing is listed: connections the
			// streams' ends closed may still have their inactive events queued.
			if (closing.isEmpty() && round > 0) {
				return;
			}
			close(closing, deadline, timeout);
			awaitCaughtUp(loops);
		}
		if (!this.open.isEmpty()) {
			logger.debug("{} channels still open after {} rounds of closes", this.open.size(), MAX_ROUNDS);
		}
	}

	private static void close(List<Channel> closing, long deadline, Duration timeout) {
		for (Channel channel : closing) {
			channel.close();
		}
		for (Channel channel : closing) {
			long left = deadline - System.nanoTime();
			if (left <= 0 || !channel.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
				break;
			}
		}
		for (Channel channel : closing) {
			if (channel.isOpen()) {
				logger.debug("{} did not close within {}; closing it at once", channel, timeout);
				closeAtOnce(channel);
			}
		}
	}

	// From the first handler's context the close goes straight to the socket, past every handler
	// that would delay it; the inactive event still runs through all of them.
	private static void closeAtOnce(Channel channel) {
		ChannelHandlerContext first = channel.pipeline().firstContext();
		if (first != null) {
			first.close();
		}
		else {
			channel.close();
		}
	}

	// Two turns on each loop: the first runs after the task that closed a channel, which queued
	// the channel's inactive event (a close completes before that event is queued); the second
	// runs after that event.
	private static void awaitCaughtUp(EventLoopGroup loops) {
		List<Promise<Void>> turns = new ArrayList<>();
		for (EventExecutor loop : loops) {
			Promise<Void> caughtUp = ImmediateEventExecutor.INSTANCE.newPromise();
			turns.add(caughtUp);
			try {
				loop.execute(() -> secondTurn(loop, caughtUp));
			}
			catch (RejectedExecutionException stopped) {
				caughtUp.trySuccess(null);
			}
		}
		long deadline = System.nanoTime() + CATCH_UP_WAIT.toNanos();
		for (Promise<Void> turn : turns) {
			long left = deadline - System.nanoTime();
			if (left <= 0 || !turn.awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
				logger.debug("the event loops did not catch up with the closed channels within {}", CATCH_UP_WAIT);
				return;
			}
		}
	}

	private static void secondTurn(EventExecutor loop, Promise<Void> caughtUp) {
		try {
			loop.execute(() -> caughtUp.trySuccess(null));
		}
		catch (RejectedExecutionException stopped) {
			caughtUp.trySuccess(null);
		}
	}

}
