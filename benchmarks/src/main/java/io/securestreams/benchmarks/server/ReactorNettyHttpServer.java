package io.securestreams.benchmarks.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * Reactor Netty's http server on the same terms: h2 with prior knowledge and http/1.1
 * ({@code HttpProtocol.H2C, HTTP11}), or h2 and http/1.1 by ALPN over TLS, one route answering
 * {@link #BODY} with a content length.
 */
final class ReactorNettyHttpServer implements HttpServerUnderTest {

	private final LoopResources loops;

	private final DisposableServer server;

	ReactorNettyHttpServer(int threads, @Nullable SelfSignedCertificate tls) {
		this.loops = LoopResources.create("rn-http-server", 1, threads, true);
		HttpServer base = HttpServer.create().host("127.0.0.1").port(0).runOn(this.loops);
		if (tls != null) {
			base = base.protocol(HttpProtocol.H2, HttpProtocol.HTTP11)
				.secure((spec) -> spec.sslContext(Http2SslContextSpec.forServer(tls.certificate(), tls.privateKey())));
		}
		else {
			base = base.protocol(HttpProtocol.H2C, HttpProtocol.HTTP11);
		}
		this.server = base
			.route((routes) -> routes.get("/1k",
					(request, response) -> response.header(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream")
						.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(BODY.length))
						.sendByteArray(Mono.just(BODY))))
			.bindNow();
	}

	@Override
	public String name() {
		return "reactor-netty";
	}

	@Override
	public int port() {
		return this.server.port();
	}

	@Override
	public void close() {
		this.server.disposeNow();
		this.loops.disposeLater().block();
	}

}
