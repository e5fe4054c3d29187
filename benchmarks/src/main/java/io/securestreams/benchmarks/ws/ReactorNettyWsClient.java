package io.securestreams.benchmarks.ws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.resolver.DefaultAddressResolverGroup;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Reactor Netty's ws client: one {@code websocket().handle(...)} per connection. Each message is
 * one BINARY frame whose buffer is allocated from the connection's allocator and filled from the
 * application's byte array (the one copy our client makes too); echoed frames are counted as
 * they arrive ({@code receiveFrames()}, no aggregation), and the next message is emitted at the
 * final fragment of the echo.
 */
final class ReactorNettyWsClient implements WsClientUnderTest {

	private final LoopResources loops;

	private final HttpClient client;

	ReactorNettyWsClient(int threads) {
		this.loops = LoopResources.create("bench-rn-client", threads, true);
		this.client = HttpClient.create(ConnectionProvider.newConnection())
			.runOn(this.loops)
			.resolver(DefaultAddressResolverGroup.INSTANCE);
	}

	@Override
	public String name() {
		return "reactor-netty";
	}

	@Override
	public long echo(WsServerUnderTest server, int connections, int messages, int size) throws Exception {
		byte[] payload = WsEchoComparison.payload(size);
		WebsocketClientSpec spec = WebsocketClientSpec.builder()
			.protocols(WsServerUnderTest.SUBPROTOCOL)
			.maxFramePayloadLength(WsServerUnderTest.MAX_FRAME)
			.build();
		String uri = "ws://127.0.0.1:" + server.port() + WsServerUnderTest.PATH;
		List<Echo> echoes = new ArrayList<>();
		List<Disposable> running = new ArrayList<>();
		try {
			for (int i = 0; i < connections; i++) {
				Echo echo = new Echo(messages, size);
				echoes.add(echo);
				running.add(this.client.websocket(spec).uri(uri).handle((in, out) -> {
					echo.connected.complete(null);
					Mono<Void> receiving = in.receiveFrames().takeUntil(echo::received).then();
					Mono<Void> sending = out
						.sendObject(echo.sends.asFlux()
							.map((n) -> new BinaryWebSocketFrame(out.alloc().buffer(size).writeBytes(payload))))
						.then();
					return Mono.when(receiving, sending);
				}).subscribe(null, (error) -> {
					echo.connected.completeExceptionally(error);
					echo.done.completeExceptionally(error);
				}));
			}
			for (Echo echo : echoes) {
				echo.connected.get(30, TimeUnit.SECONDS);
			}
			long start = System.nanoTime();
			for (Echo echo : echoes) {
				echo.send(0);
			}
			for (Echo echo : echoes) {
				echo.done.get(10, TimeUnit.MINUTES);
			}
			return System.nanoTime() - start;
		}
		finally {
			running.forEach(Disposable::dispose);
		}
	}

	@Override
	public void close() {
		this.loops.disposeLater().block(Duration.ofSeconds(10));
	}

	/** One connection's exchange. */
	private static final class Echo {

		final CompletableFuture<Void> connected = new CompletableFuture<>();

		final CompletableFuture<Void> done = new CompletableFuture<>();

		final Sinks.Many<Integer> sends = Sinks.many().unicast().onBackpressureBuffer();

		private final int messages;

		private final int size;

		private int echoed;

		private long bytes;

		Echo(int messages, int size) {
			this.messages = messages;
			this.size = size;
		}

		/**
		 * Emits the next message. The first is emitted from the harness thread, whose emission
		 * may still be draining when the echo arrives, so a concurrent emission is retried.
		 */
		void send(int n) {
			this.sends.emitNext(n, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(5)));
		}

		/** Counts a frame; returns {@code true} after the last message's final fragment. */
		boolean received(WebSocketFrame frame) {
			this.bytes += frame.content().readableBytes();
			if (!frame.isFinalFragment()) {
				return false;
			}
			this.echoed++;
			if (this.bytes != (long) this.echoed * this.size) {
				this.done.completeExceptionally(new IllegalStateException(
						"echoed " + this.bytes + " bytes for " + this.echoed + " messages"));
				return true;
			}
			if (this.echoed == this.messages) {
				this.sends.tryEmitComplete();
				this.done.complete(null);
				return true;
			}
			send(this.echoed);
			return false;
		}

	}

}
