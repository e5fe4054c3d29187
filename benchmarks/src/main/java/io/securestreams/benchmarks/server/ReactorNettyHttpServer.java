package io.securestreams.benchmarks.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * Reactor Netty's http server on the same terms: h2 with prior knowledge and http/1.1
 * ({@code HttpProtocol.H2C, HTTP11}), one route answering {@link #BODY} with a content length.
 */
final class ReactorNettyHttpServer implements HttpServerUnderTest {

	private final LoopResources loops;

	private final DisposableServer server;

	ReactorNettyHttpServer(int threads) {
		this.loops = LoopResources.create("rn-http-server", 1, threads, true);
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.runOn(this.loops)
			.protocol(HttpProtocol.H2C, HttpProtocol.HTTP11)
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
