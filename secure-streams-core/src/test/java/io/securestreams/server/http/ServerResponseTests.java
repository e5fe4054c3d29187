package io.securestreams.server.http;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.protocol.TxResult;
import io.securestreams.server.ServerLink;
import io.securestreams.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A response whose head cannot be written (no route from a handler is known: values are checked
 * when set) must release the body buffer it took from the handler and close the connection, not
 * leak the buffer and leave the client waiting.
 */
class ServerResponseTests {

	private final EmbeddedChannel channel = new EmbeddedChannel();

	private final List<ByteBuf> bodyBuffers = new ArrayList<>();

	private final LogCapture logs = new LogCapture();

	private int doneRuns;

	@AfterEach
	void close() {
		this.logs.close();
		this.channel.finishAndReleaseAll();
	}

	@Test
	void aHeadThatCannotBeWrittenReleasesTheBodyAndClosesTheConnection() {
		ServerResponse response = new FailingHead(link(-1), this.channel, () -> this.doneRuns++);
		response.pump();
		assertThat(this.bodyBuffers).hasSize(1);
		assertThat(this.bodyBuffers.get(0).refCnt()).as("the body buffer is released").isZero();
		assertThat(this.channel.isOpen()).isFalse();
		assertThat(response.done()).isTrue();
		assertThat(this.doneRuns).isZero();
		assertThat(this.logs.contains("the response could not be written; closing the connection")).isTrue();
		response.pump();
		assertThat(this.bodyBuffers).as("nothing more is asked of the handler").hasSize(1);
	}

	@Test
	void anAnswerWithoutBodyWhoseHeadCannotBeWrittenClosesTheConnection() {
		ServerResponse response = new FailingHead(link(0), this.channel, () -> this.doneRuns++);
		response.respondWithoutBody();
		assertThat(this.channel.isOpen()).isFalse();
		assertThat(response.done()).isTrue();
		assertThat(this.doneRuns).isZero();
	}

	private ServerLink link(long txLength) {
		return (ServerLink) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { ServerLink.class },
				(proxy, method, args) -> switch (method.getName()) {
					case "txRequested", "isActive", "takeTxRequest" -> true;
					case "txLength" -> txLength;
					case "responseStatus" -> 200;
					case "describe" -> "test response";
					case "tx" -> {
						ByteBuf buffer = (ByteBuf) args[0];
						this.bodyBuffers.add(buffer);
						buffer.writeBytes("body".getBytes());
						yield new TxResult(StreamResult.OK, StreamFlags.SOM | StreamFlags.EOM, 4);
					}
					default -> null;
				});
	}

	/** A response whose head always fails, as a header Netty refuses would. */
	private static final class FailingHead extends ServerResponse {

		FailingHead(ServerLink link, EmbeddedChannel channel, Runnable onDone) {
			super(link, channel, false, onDone, stallWatch(link, (ch) -> ch.close()));
		}

		@Override
		protected void writeHead(int status, long contentLength, boolean last) {
			throw new IllegalArgumentException("a header Netty refuses");
		}

		@Override
		protected void writeBody(ByteBuf data, boolean last) {
			this.channel.write(data);
		}

		@Override
		protected void finish() {
			this.channel.flush();
		}

		@Override
		protected void abort() {
			this.channel.close();
		}

	}

}
