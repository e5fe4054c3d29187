package io.securestreams.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.LongSupplier;

import io.netty.resolver.InetNameResolver;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import org.jspecify.annotations.Nullable;

/**
 * The name resolver of one event loop. An IP literal is converted in place; a name answered within
 * the group's time to live is answered again in place; anything else is
 * looked up with the context's {@link HostNameLookup} (the JDK's by default) on a separate
 * executor, because lookups may block. Each lookup off the loop costs two thread hand-offs, which a new connection to a
 * known name (every reconnect, every new stream of a streamtype) no longer pays. Failures are not
 * remembered: the next attempt asks again.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class CachingNameResolver extends InetNameResolver {

	/**
	 * The addresses of a name and when they were looked up.
	 * @param addresses the addresses, as the JDK ordered them
	 * @param atNanos the clock reading of the lookup
	 */
	record Answer(InetAddress[] addresses, long atNanos) {
	}

	private final Executor lookup;

	private final HostNameLookup hostNames;

	private final Map<String, Answer> answers;

	private final LongSupplier nanoClock;

	private final long ttlNanos;

	CachingNameResolver(EventExecutor loop, Executor lookup, HostNameLookup hostNames, Map<String, Answer> answers,
			LongSupplier nanoClock, long ttlNanos) {
		super(loop);
		this.lookup = lookup;
		this.hostNames = hostNames;
		this.answers = answers;
		this.nanoClock = nanoClock;
		this.ttlNanos = ttlNanos;
	}

	@Override
	protected void doResolve(String host, Promise<InetAddress> promise) {
		resolve(host, promise, (addresses) -> addresses[0]);
	}

	@Override
	protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
		resolve(host, promise, List::of);
	}

	private <T> void resolve(String host, Promise<T> promise, Function<InetAddress[], T> result) {
		InetAddress[] known;
		try {
			known = known(host);
		}
		catch (UnknownHostException ex) {
			promise.tryFailure(ex);
			return;
		}
		if (known != null) {
			promise.trySuccess(result.apply(known));
			return;
		}
		this.lookup.execute(() -> {
			T answer;
			try {
				answer = result.apply(lookUp(host));
			}
			catch (Throwable ex) {
				// Whatever an application's lookup throws fails the attempt instead of leaving it
				// waiting for an answer that never comes.
				if (!loopStopped()) {
					promise.tryFailure(ex);
				}
				return;
			}
			if (!loopStopped()) {
				promise.trySuccess(answer);
			}
		});
	}

	// A lookup that returns after its context shut down (a slow DNS server, which close() does
	// not wait for) has nobody left to tell, and its promise could only notify its listeners on
	// the stopped loop, which Netty refuses with an error line.
	private boolean loopStopped() {
		return executor().isShuttingDown();
	}

	private InetAddress @Nullable [] known(String host) throws UnknownHostException {
		if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
			// A literal: the JDK converts it without a lookup.
			return InetAddress.getAllByName(host);
		}
		Answer answer = this.answers.get(host);
		if (answer != null && this.nanoClock.getAsLong() - answer.atNanos() < this.ttlNanos) {
			return answer.addresses();
		}
		return null;
	}

	private InetAddress[] lookUp(String host) throws UnknownHostException {
		InetAddress[] given = this.hostNames.lookUp(host);
		if (given == null || given.length == 0) {
			throw new UnknownHostException(host + ": the host name lookup gave no address");
		}
		for (InetAddress address : given) {
			if (address == null) {
				throw new UnknownHostException(host + ": the host name lookup gave a null address");
			}
		}
		// A copy: the lookup may be application code that reuses its array.
		InetAddress[] addresses = given.clone();
		if (this.answers.size() >= CachingResolverGroup.MAX_NAMES) {
			this.answers.clear();
		}
		this.answers.put(host, new Answer(addresses, this.nanoClock.getAsLong()));
		return addresses;
	}

}
