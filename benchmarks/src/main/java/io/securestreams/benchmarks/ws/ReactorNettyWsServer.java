package io.securestreams.benchmarks.ws;

import java.time.Duration;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.resources.LoopResources;

/**
 * Reactor Netty's ws server: {@code HttpServer.route} with a ws route that sends every received
 * frame straight back ({@code out.sendObject(in.receiveFrames().map(retain))}), so fragments
 * and their FIN flags are kept, as our server does.
 */
final class ReactorNettyWsServer implements WsServerUnderTest {

	private final LoopResources loops;

	private final DisposableServer server;

	ReactorNettyWsServer(int threads) {
		this.loops = LoopResources.create("bench-rn-server", 1, threads, true);
		WebsocketServerSpec spec = WebsocketServerSpec.builder()
			.protocols(SUBPROTOCOL)
			.maxFramePayloadLength(MAX_FRAME)
			.build();
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.runOn(this.loops)
			.route((routes) -> routes.ws(PATH,
					(in, out) -> out.sendObject(in.receiveFrames().map(WebSocketFrame::retain)), spec))
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
		this.server.disposeNow(Duration.ofSeconds(10));
		this.loops.disposeLater().block(Duration.ofSeconds(10));
	}

}
