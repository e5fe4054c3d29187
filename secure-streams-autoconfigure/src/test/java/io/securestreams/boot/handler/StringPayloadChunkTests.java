package io.securestreams.boot.handler;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.securestreams.StreamFlags;
import io.securestreams.boot.annotation.Flags;
import io.securestreams.boot.annotation.OnRx;
import io.securestreams.boot.annotation.OnState;
import io.securestreams.boot.annotation.SecureStreamHandler;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An {@code @OnRx} method taking a {@code String} receives the text of each chunk; a chunk
 * boundary may fall inside a character's UTF-8 bytes (the network splits a body anywhere), and
 * that character must reach the method whole, not as two replacement characters. A method
 * declared with a type variable that the handler's class binds to {@code String} is the same
 * method: it was inspected by its erased type before, so its chunks were collected into whole
 * messages and mapped, and the final empty EOM chunk never reached it.
 */
class StringPayloadChunkTests {

	// Two, three and four byte UTF-8 characters.
	private static final String TEXT = "héllo wörld, € and 𝄞 ".repeat(8);

	private final MockWebServer server = new MockWebServer();

	@BeforeEach
	void start() throws Exception {
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
	}

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void aCharacterSplitBetweenChunksReachesAStringParameterWhole() {
		ChunkCollector<String> handler = fetch(TextHandler.class);
		assertThat(handler.chunks).as("chunks").hasSizeGreaterThan(2);
		assertThat(String.join("", handler.chunks)).isEqualTo(TEXT);
		assertThat(handler.flags).last().matches((flags) -> StreamFlags.has(flags, StreamFlags.EOM));
	}

	@Test
	void aStringBoundToATypeVariableIsTakenChunkByChunkToo() {
		ChunkCollector<String> handler = fetch(GenericTextHandler.class);
		assertThat(handler.chunks).as("chunks").hasSizeGreaterThan(2);
		assertThat(String.join("", handler.chunks)).isEqualTo(TEXT);
		assertThat(handler.chunks).last().isEqualTo("");
		assertThat(handler.flags).last().matches((flags) -> StreamFlags.has(flags, StreamFlags.EOM));
	}

	/** Serves the text a few bytes at a time, so that most chunks end inside a character. */
	private <H extends ChunkCollector<String>> H fetch(Class<H> handlerClass) {
		this.server.enqueue(new MockResponse.Builder().code(200)
			.body(TEXT)
			.throttleBody(5, 5, TimeUnit.MILLISECONDS)
			.build());
		String type = "secure-streams.policy.streamtypes.text.";
		List<H> handlers = new CopyOnWriteArrayList<>();
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
			.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
					type + "endpoint=127.0.0.1", type + "port=" + this.server.getPort(), type + "http-method=GET",
					type + "http-url=/text", type + "opportunistic=true")
			.withBean(handlerClass)
			.run((context) -> {
				H handler = context.getBean(handlerClass);
				Awaitility.await().until(() -> handler.acked);
				handlers.add(handler);
			});
		assertThat(handlers).hasSize(1);
		return handlers.get(0);
	}

	abstract static class ChunkCollector<T> {

		final List<T> chunks = new CopyOnWriteArrayList<>();

		final List<Integer> flags = new CopyOnWriteArrayList<>();

		volatile boolean acked;

		@OnRx
		void rx(T chunk, @Flags int flags) {
			this.chunks.add(chunk);
			this.flags.add(flags);
		}

		@OnState("QOS_ACK_REMOTE")
		void acked() {
			this.acked = true;
		}

	}

	@SecureStreamHandler(streamtype = "text", start = SecureStreamHandler.Start.REQUEST_TX)
	static class GenericTextHandler extends ChunkCollector<String> {

	}

	/** Declares its method with a {@code String} parameter itself. */
	@SecureStreamHandler(streamtype = "text", start = SecureStreamHandler.Start.REQUEST_TX)
	static class TextHandler extends ChunkCollector<String> {

		@Override
		@OnRx
		void rx(String chunk, @Flags int flags) {
			super.rx(chunk, flags);
		}

	}

}
