package io.securestreams.benchmarks.h1;

import java.nio.file.Path;
import java.time.Duration;

import io.netty.buffer.ByteBuf;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.securestreams.policy.Protocol;
import reactor.core.publisher.Flux;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.SslProvider.ProtocolSslContextSpec;

/**
 * Reactor Netty's HttpClient with a pooled connection provider, over http/1.1 or, for h2, HTTP/2
 * only (streams multiplexed on the pool's connections); bodies are counted chunk by chunk, not
 * aggregated, as our runtime delivers them.
 */
final class ReactorNettyClient implements HttpClientUnderTest {

	private final LoopResources loops;

	private final ConnectionProvider pool;

	private final HttpClient client;

	private final String base;

	private final HttpClient unpooled;

	private final HttpProtocol protocol;

	ReactorNettyClient(String host, int port, Path caPem, int threads, Protocol protocol) throws Exception {
		boolean h2 = protocol == Protocol.H2;
		ProtocolSslContextSpec ssl = (h2 ? Http2SslContextSpec.forClient() : Http11SslContextSpec.forClient())
			.configure((builder) -> builder.trustManager(caPem.toFile()));
		this.protocol = h2 ? HttpProtocol.H2 : HttpProtocol.HTTP11;
		this.loops = LoopResources.create("bench-reactor", threads, true);
		this.pool = ConnectionProvider.builder("bench").maxConnections(64).pendingAcquireMaxCount(-1).build();
		this.base = "https://" + host + ":" + port;
		// The JDK resolver, like the other two clients: localhost is 127.0.0.1, where the server listens.
		this.client = configure(HttpClient.create(this.pool), ssl);
		// newConnection() on a configured client drops its TLS settings, so configure a fresh one.
		this.unpooled = configure(HttpClient.newConnection(), ssl);
	}

	private HttpClient configure(HttpClient client, ProtocolSslContextSpec ssl) {
		return client.runOn(this.loops).resolver(DefaultAddressResolverGroup.INSTANCE).protocol(this.protocol)
			.secure((spec) -> spec.sslContext(ssl));
	}

	@Override
	public String name() {
		return "reactor-netty";
	}

	@Override
	public long get(String path, int transactions, int concurrency) {
		Long bytes = Flux.range(0, transactions)
			.flatMap((i) -> this.client.get().uri(this.base + path).responseContent().map(ByteBuf::readableBytes)
				.reduce(0L, (sum, n) -> sum + n), concurrency)
			.reduce(0L, Long::sum)
			.block(Duration.ofMinutes(10));
		return (bytes != null) ? bytes : 0;
	}

	@Override
	public void getOnNewConnections(String path, int transactions) {
		HttpClient fresh = this.unpooled;
		for (int i = 0; i < transactions; i++) {
			fresh.get().uri(this.base + path).responseContent().aggregate().asByteArray().block(Duration.ofMinutes(1));
		}
	}

	@Override
	public void close() {
		this.pool.disposeLater().block(Duration.ofSeconds(10));
		this.loops.disposeLater().block(Duration.ofSeconds(10));
	}

}
