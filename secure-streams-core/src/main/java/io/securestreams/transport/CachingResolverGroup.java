package io.securestreams.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetSocketAddressResolver;
import io.netty.util.concurrent.EventExecutor;

/**
 * Resolves host names with the JDK resolver (so {@code /etc/hosts}, the system's name service and
 * the JVM's settings apply as for any Java program) without ever blocking an event loop, and
 * mostly without leaving it: see {@link CachingNameResolver}. The answers are shared by the
 * resolvers of every event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class CachingResolverGroup extends AddressResolverGroup<InetSocketAddress> {

	/** How long an answer is reused without asking the JDK again. */
	static final long TTL_NANOS = TimeUnit.SECONDS.toNanos(10);

	/** Distinct names remembered at most; beyond that the cache starts over. */
	static final int MAX_NAMES = 1024;

	private final Executor lookups;

	private final Map<String, CachingNameResolver.Answer> answers = new ConcurrentHashMap<>();

	private final LongSupplier nanoClock;

	/**
	 * Creates the group.
	 * @param lookups runs the JDK's blocking lookups
	 * @param nanoClock the clock answers are timed with
	 */
	CachingResolverGroup(Executor lookups, LongSupplier nanoClock) {
		this.lookups = lookups;
		this.nanoClock = nanoClock;
	}

	@Override
	protected AddressResolver<InetSocketAddress> newResolver(EventExecutor loop) {
		return new InetSocketAddressResolver(loop,
				new CachingNameResolver(loop, this.lookups, this.answers, this.nanoClock));
	}

	/**
	 * Returns the answer remembered for a name, for tests.
	 * @param host the name
	 * @return the addresses, or {@code null}
	 */
	InetAddress[] remembered(String host) {
		CachingNameResolver.Answer answer = this.answers.get(host);
		return (answer != null) ? answer.addresses() : null;
	}

}
