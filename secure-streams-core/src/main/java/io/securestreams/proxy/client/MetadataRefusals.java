package io.securestreams.proxy.client;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Finds the metadata a proxy refuses. A proxy answers an undeclared name, or a value it cannot
 * send (a line break in a header value), by closing the link, with no frame to say why. Since
 * every new link carries every value set so far, such a value closes each link as soon as it is
 * sent, once a second, for as long as the stream lives, and the application only ever sees
 * CREATING.
 * <p>
 * A value counts as taken once the proxy answered an ONWARD_CONNECT written after it (the proxy
 * reads a link's frames in order). The values not taken yet are the suspects of a link. When the
 * proxy closed {@value #STRIKES} links in a row within a second of sending the same suspects, they
 * are named: a single suspect is the refused value for sure; of several, the protocol cannot tell
 * which one the proxy refused. The time bound keeps a proxy that restarts now and then from being
 * taken for one that refuses. Used only on the stream's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MetadataRefusals {

	/** Links in a row the proxy closes right after the same suspects before they are named. */
	static final int STRIKES = 3;

	static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

	/** The names whose current value the proxy took, on this link or an earlier one. */
	private final Set<String> taken = new HashSet<>();

	/** The names the current link carried whose value the proxy has not been seen to take. */
	private final Set<String> suspects = new LinkedHashSet<>();

	/** The names written before the ONWARD_CONNECT that waits for its answer. */
	private final Set<String> beforeConnect = new HashSet<>();

	private Set<String> lastSuspects = Set.of();

	private int strikes;

	private final LongSupplier nanoClock;

	private long lastWrittenNanos;

	MetadataRefusals() {
		this(System::nanoTime);
	}

	MetadataRefusals(LongSupplier nanoClock) {
		this.nanoClock = nanoClock;
	}

	/**
	 * A METADATA frame went out on the current link.
	 * @param name its name
	 */
	void written(String name) {
		if (!this.taken.contains(name)) {
			this.suspects.add(name);
			this.lastWrittenNanos = this.nanoClock.getAsLong();
		}
	}

	/** An ONWARD_CONNECT went out: its answer proves every name written before it. */
	void connectWritten() {
		this.beforeConnect.addAll(this.suspects);
	}

	/** The proxy answered the ONWARD_CONNECT: it read, and took, the names before it. */
	void connectAnswered() {
		this.taken.addAll(this.beforeConnect);
		this.suspects.removeAll(this.beforeConnect);
		this.beforeConnect.clear();
	}

	/**
	 * The application set a new value for the name: it is a suspect again when it goes out.
	 * @param name the name
	 */
	void setAgain(String name) {
		this.taken.remove(name);
	}

	/**
	 * The proxy closed the current link.
	 * @return the suspects, oldest first, when this close is the {@value #STRIKES}th in a row right
	 * after them (then counting starts over), else an empty list
	 */
	List<String> proxyClosed() {
		Set<String> now = Set.copyOf(this.suspects);
		boolean soon = !now.isEmpty() && this.nanoClock.getAsLong() - this.lastWrittenNanos <= WINDOW_NANOS;
		List<String> named = List.of();
		if (!soon) {
			this.strikes = 0;
		}
		else {
			this.strikes = now.equals(this.lastSuspects) ? this.strikes + 1 : 1;
			if (this.strikes == STRIKES) {
				this.strikes = 0;
				named = List.copyOf(this.suspects);
			}
		}
		this.lastSuspects = now;
		linkGone();
		return named;
	}

	/** The current link is gone; the next one carries its names again. */
	void linkGone() {
		this.suspects.clear();
		this.beforeConnect.clear();
	}

}
