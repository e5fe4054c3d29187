package io.securestreams.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.Security;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetSocketAddressResolver;
import io.netty.util.concurrent.EventExecutor;
import org.jspecify.annotations.Nullable;

/**
 * Resolves host names with a {@link HostNameLookup}, by default the JDK's (so {@code /etc/hosts},
 * the system's name service and the JVM's settings apply as for any Java program, a shorter
 * {@code networkaddress.cache.ttl} included), without ever blocking an event loop, and
 * mostly without leaving it: see {@link CachingNameResolver}. The answers are shared by the
 * resolvers of every event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class CachingResolverGroup extends AddressResolverGroup<InetSocketAddress> {

	/** How long an answer is reused at most without asking the JDK again. */
	static final long MAX_TTL_NANOS = TimeUnit.SECONDS.toNanos(10);

	/** Distinct names remembered at most; beyond that the cache starts over. */
	static final int MAX_NAMES = 1024;

	private final Executor lookups;

	private final HostNameLookup hostNames;

	private final Map<String, CachingNameResolver.Answer> answers = new ConcurrentHashMap<>();

	private final LongSupplier nanoClock;

	private final long ttlNanos;

	/**
	 * Creates the group, reusing answers for 10 s, or for less when the JVM's own positive cache
	 * is set shorter ({@code networkaddress.cache.ttl}, 0 for no caching).
	 * @param lookups runs the blocking lookups
	 * @param hostNames looks names up
	 * @param nanoClock the clock answers are timed with
	 */
	CachingResolverGroup(Executor lookups, HostNameLookup hostNames, LongSupplier nanoClock) {
		this(lookups, hostNames, nanoClock, ttlNanos(Security.getProperty("networkaddress.cache.ttl")));
	}

	CachingResolverGroup(Executor lookups, HostNameLookup hostNames, LongSupplier nanoClock, long ttlNanos) {
		this.lookups = lookups;
		this.hostNames = hostNames;
		this.nanoClock = nanoClock;
		this.ttlNanos = ttlNanos;
	}

	/**
	 * Returns how long answers are reused, from the JVM's positive cache setting.
	 * @param jvmSetting {@code networkaddress.cache.ttl} in seconds, or {@code null} when unset
	 * @return at most {@link #MAX_TTL_NANOS}; 0 when the JVM does not cache
	 */
	static long ttlNanos(@Nullable String jvmSetting) {
		if (jvmSetting == null || jvmSetting.isBlank()) {
			return MAX_TTL_NANOS;
		}
		try {
			long seconds = Long.parseLong(jvmSetting.trim());
			// Negative: the JVM caches for ever, and this cache still asks it every 10 s.
			return (seconds < 0) ? MAX_TTL_NANOS : Math.min(MAX_TTL_NANOS, TimeUnit.SECONDS.toNanos(seconds));
		}
		catch (NumberFormatException ex) {
			return MAX_TTL_NANOS;
		}
	}

	@Override
	protected AddressResolver<InetSocketAddress> newResolver(EventExecutor loop) {
		return new InetSocketAddressResolver(loop,
				new CachingNameResolver(loop, this.lookups, this.hostNames, this.answers, this.nanoClock,
						this.ttlNanos));
	}

	/**
	 * Returns the answer remembered for a name, for tests.
	 * @param host the name
	 * @return the addresses, or {@code null}
	 */
	InetAddress @Nullable [] remembered(String host) {
		CachingNameResolver.Answer answer = this.answers.get(host);
		return (answer != null) ? answer.addresses() : null;
	}

}
