package io.securestreams.transport;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.resolver.AddressResolver;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Literals and recently answered names resolve on the calling loop; other names are looked up
 * off it, and failures are never remembered.
 */
class CachingResolverGroupTests {

	private final AtomicInteger lookupsRun = new AtomicInteger();

	private final ExecutorService lookupThread = Executors.newSingleThreadExecutor();

	private final Executor lookups = (task) -> {
		this.lookupsRun.incrementAndGet();
		this.lookupThread.execute(task);
	};

	private final DefaultEventExecutor loop = new DefaultEventExecutor();

	private final AtomicLong clock = new AtomicLong();

	private final CachingResolverGroup group = new CachingResolverGroup(this.lookups, HostNameLookup.JDK,
			this.clock::get);

	@AfterEach
	void stop() {
		this.group.close();
		this.loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
		this.lookupThread.shutdownNow();
	}

	private InetSocketAddress resolve(String host) throws Exception {
		Future<InetSocketAddress> resolved = this.loop.submit(() -> {
			AddressResolver<InetSocketAddress> resolver = this.group.getResolver(this.loop);
			return resolver.resolve(InetSocketAddress.createUnresolved(host, 443));
		}).get().await();
		if (!resolved.isSuccess()) {
			throw new ExecutionException(resolved.cause());
		}
		return resolved.getNow();
	}

	@Test
	void literalsResolveWithoutALookup() throws Exception {
		assertThat(resolve("127.0.0.1").getAddress().getHostAddress()).isEqualTo("127.0.0.1");
		assertThat(resolve("::1").getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
		assertThat(this.lookupsRun).hasValue(0);
	}

	@Test
	void aNameIsLookedUpOnceAndAnsweredFromTheCacheUntilItsTimeToLiveEnds() throws Exception {
		assertThat(resolve("localhost").getAddress().isLoopbackAddress()).isTrue();
		assertThat(this.lookupsRun).hasValue(1);
		assertThat(this.group.remembered("localhost")).isNotEmpty();
		this.clock.addAndGet(CachingResolverGroup.MAX_TTL_NANOS - 1);
		assertThat(resolve("localhost").getPort()).isEqualTo(443);
		assertThat(this.lookupsRun).hasValue(1);
		this.clock.addAndGet(1);
		resolve("localhost");
		assertThat(this.lookupsRun).hasValue(2);
	}

	@Test
	void aShorterJvmCacheSettingShortensTheTimeToLive() throws Exception {
		assertThat(CachingResolverGroup.ttlNanos(null)).isEqualTo(CachingResolverGroup.MAX_TTL_NANOS);
		assertThat(CachingResolverGroup.ttlNanos("3")).isEqualTo(TimeUnit.SECONDS.toNanos(3));
		assertThat(CachingResolverGroup.ttlNanos("60")).isEqualTo(CachingResolverGroup.MAX_TTL_NANOS);
		assertThat(CachingResolverGroup.ttlNanos("-1")).isEqualTo(CachingResolverGroup.MAX_TTL_NANOS);
		assertThat(CachingResolverGroup.ttlNanos("soon")).isEqualTo(CachingResolverGroup.MAX_TTL_NANOS);
		assertThat(CachingResolverGroup.ttlNanos("0")).isZero();
		// No caching: every resolution of a name is a lookup.
		try (CachingResolverGroup uncached = new CachingResolverGroup(this.lookups, HostNameLookup.JDK,
				this.clock::get, 0)) {
			for (int i = 1; i <= 2; i++) {
				Future<InetSocketAddress> resolved = this.loop.submit(() -> uncached.getResolver(this.loop)
					.resolve(InetSocketAddress.createUnresolved("localhost", 80))).get().await();
				assertThat(resolved.isSuccess()).isTrue();
				assertThat(this.lookupsRun).hasValue(i);
			}
		}
	}

	@Test
	void anUnknownNameFailsAndIsAskedForAgainNextTime() {
		for (int i = 1; i <= 2; i++) {
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> resolve("no-such-host.invalid"))
				.withCauseInstanceOf(UnknownHostException.class);
			assertThat(this.lookupsRun).hasValue(i);
		}
		assertThat(this.group.remembered("no-such-host.invalid")).isNull();
	}

}
