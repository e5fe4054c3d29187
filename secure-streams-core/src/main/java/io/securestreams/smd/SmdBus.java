package io.securestreams.smd;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system message bus of one context, libwebsockets' {@code lws_smd}: anyone publishes short
 * classed messages, and every subscriber whose class mask includes a message's class receives it,
 * on the executor it subscribed with, in the order they were published (at most
 * {@link #MAX_QUEUED} waiting per subscriber). As in libwebsockets, that includes the
 * subscription it came from: an {@code _lws_smd} stream, or a proxy's client, whose mask has the
 * class of a message it sends gets it back, and one that relays what it receives loops.
 * <p>
 * As libwebsockets does, the runtime publishes captive portal detection results as
 * {@link SmdClass#NETWORK} messages {@code {"type":"cpd","result":"OK"}} ({@code "Captive"},
 * {@code "No internet"}), and each policy it sets as a {@link SmdClass#SYSTEM_STATE} message
 * {@code {"policy":"updated","ts":<seconds>}}. Thread-safe.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SmdBus {

	private static final Logger logger = LoggerFactory.getLogger(SmdBus.class);

	/**
	 * Most messages waiting for one subscriber: one that falls further behind (a stalled event
	 * loop, a client flooding through a proxy) loses the newest, as libwebsockets' bounded SMD
	 * queue does, so the bus never holds more than this many messages per subscriber.
	 */
	public static final int MAX_QUEUED = 40;

	private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();

	/**
	 * Publishes a message stamped with the current time.
	 * @param smdClass the class, one {@link SmdClass} bit
	 * @param payload at most {@link SmdMessage#MAX_PAYLOAD} bytes
	 * @return how many subscribers it was handed to
	 * @throws IllegalArgumentException for no class or a payload that is too long
	 */
	public int publish(long smdClass, byte[] payload) {
		return publish(new SmdMessage(smdClass, nowMicros(), payload.clone()));
	}

	/**
	 * Publishes a text message, for example JSON, stamped with the current time.
	 * @param smdClass the class, one {@link SmdClass} bit
	 * @param text at most {@link SmdMessage#MAX_PAYLOAD} bytes as UTF-8
	 * @return how many subscribers it was handed to
	 * @throws IllegalArgumentException for no class or a text that is too long
	 */
	public int publish(long smdClass, String text) {
		return publish(new SmdMessage(smdClass, nowMicros(), text.getBytes(StandardCharsets.UTF_8)));
	}

	/**
	 * Publishes a message to every subscription whose mask has its class, the publisher's own
	 * included: libwebsockets' bus leaves nobody out (its SMD example counts, through a proxy, the
	 * messages of its own that come back).
	 * @param message the message
	 * @return how many subscribers it was handed to
	 */
	public int publish(SmdMessage message) {
		int handed = 0;
		for (Subscription subscription : this.subscriptions) {
			if ((subscription.classMask & message.smdClass()) != 0
					&& subscription.hand(message)) {
				handed++;
			}
		}
		return handed;
	}

	/**
	 * Subscribes to the messages of some classes.
	 * @param classMask the {@link SmdClass} bits wanted; 0 receives nothing
	 * @param executor runs the consumer, one message after the other in publishing order if it
	 * is single-threaded (an event loop)
	 * @param consumer receives the messages; what it throws is logged
	 * @return the subscription, to close when no more messages are wanted
	 */
	public Subscription subscribe(long classMask, Executor executor, Consumer<SmdMessage> consumer) {
		Subscription subscription = new Subscription(this, classMask, executor, consumer);
		this.subscriptions.add(subscription);
		return subscription;
	}

	/**
	 * Returns how many subscriptions are open, for monitoring and tests.
	 * @return the count
	 */
	public int subscriptions() {
		return this.subscriptions.size();
	}

	/**
	 * Returns the time a message sent now is stamped with.
	 * @return microseconds since the epoch
	 */
	public static long nowMicros() {
		return System.currentTimeMillis() * 1000;
	}

	/** One subscriber's interest in some classes; closing it ends the deliveries. */
	public static final class Subscription implements AutoCloseable {

		private final SmdBus bus;

		private final long classMask;

		private final Executor executor;

		private final Consumer<SmdMessage> consumer;

		private volatile boolean open = true;

		private final AtomicInteger queued = new AtomicInteger();

		private final AtomicLong dropped = new AtomicLong();

		private Subscription(SmdBus bus, long classMask, Executor executor, Consumer<SmdMessage> consumer) {
			this.bus = bus;
			this.classMask = classMask;
			this.executor = executor;
			this.consumer = consumer;
		}

		/**
		 * Returns the classes this subscription receives.
		 * @return the class mask
		 */
		public long classMask() {
			return this.classMask;
		}

		private boolean hand(SmdMessage message) {
			if (this.queued.incrementAndGet() > MAX_QUEUED) {
				this.queued.decrementAndGet();
				long lost = this.dropped.incrementAndGet();
				if (lost % 100 == 1) {
					logger.warn("an SMD subscriber is {} messages behind; {} dropped so far", MAX_QUEUED, lost);
				}
				return false;
			}
			try {
				this.executor.execute(() -> deliver(message));
				return true;
			}
			catch (RejectedExecutionException ex) {
				// The subscriber's executor is shutting down with its context.
				this.queued.decrementAndGet();
				return false;
			}
		}

		/**
		 * Returns how many messages this subscriber lost by falling behind.
		 * @return the count
		 */
		public long dropped() {
			return this.dropped.get();
		}

		private void deliver(SmdMessage message) {
			this.queued.decrementAndGet();
			if (!this.open) {
				return;
			}
			try {
				this.consumer.accept(message);
			}
			catch (RuntimeException | Error ex) {
				// As a stream handler's callbacks: an Error too (an assertion, a class that failed
				// to load) would otherwise reach the publisher, and with a direct executor keep the
				// subscribers after this one from the message.
				logger.warn("an SMD subscriber failed on {}", message, ex);
			}
		}

		/** Stops the deliveries, including those already handed to the executor. */
		@Override
		public void close() {
			this.open = false;
			this.bus.subscriptions.remove(this);
		}

	}

}
