package io.securestreams.server.h1;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.securestreams.ProtocolLimits;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.metadata.MetadataValues;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.TxResult;
import io.securestreams.server.ServerConnection;
import io.securestreams.server.ServerLink;
import io.securestreams.testsupport.TestPolicies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 9112 section 9.6: a server that receives {@code Connection: close} (or an HTTP/1.0 request
 * without keep-alive) "MUST NOT process any further requests received on that connection". The
 * h1 server closes once the last write of the response has completed; until then, while a client
 * is slow to read, a pipelined request behind it is no longer read (before, it was handed to the
 * handler as a new SERVER_TXN, which it might act on, a POST say, with nobody to get its answer).
 * <p>
 * The connection runs on an embedded channel whose writes stay pending, as a socket whose peer
 * has not read yet leaves them; the handler answers every request with a small body.
 */
class H1ServerConnectionCloseTests {

	private final EmbeddedChannel channel = new EmbeddedChannel();

	private final List<Object> heldWrites = new ArrayList<>();

	private final List<String> transactions = new CopyOnWriteArrayList<>();

	private ServerConnection connection;

	private MetadataValues metadata;

	private boolean txRequested;

	@AfterEach
	void close() {
		this.heldWrites.forEach(ReferenceCountUtil::release);
		this.channel.finishAndReleaseAll();
	}

	@Test
	void noRequestAfterConnectionCloseReachesTheHandlerWhileTheResponseIsStillBeingWritten() {
		start();
		this.channel.writeInbound(ascii("GET /first HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
				+ "POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
		this.channel.runPendingTasks();
		assertThat(this.heldWrites).as("the first response was written").isNotEmpty();
		assertThat(this.transactions).as("requests handed to the handler").containsExactly("/first");
	}

	@Test
	void noRequestAfterAnHttp10RequestReachesTheHandlerWhileTheResponseIsStillBeingWritten() {
		start();
		this.channel.writeInbound(ascii("GET /first HTTP/1.0\r\n\r\n"
				+ "POST /second HTTP/1.0\r\nContent-Length: 0\r\n\r\n"));
		this.channel.runPendingTasks();
		assertThat(this.heldWrites).as("the first response was written").isNotEmpty();
		assertThat(this.transactions).as("requests handed to the handler").containsExactly("/first");
	}

	@Test
	void keptAliveRequestsAreStillServedWhileAResponseIsBeingWritten() {
		start();
		this.channel.writeInbound(ascii("GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
				+ "POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
		this.channel.runPendingTasks();
		assertThat(this.transactions).containsExactly("/first", "/second");
	}

	private void start() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false);
		StreamTypePolicy policy = fragment.build().streamType("srv");
		this.metadata = new MetadataValues(policy);
		// Writes reach this handler last and are held: the peer has not read them yet.
		this.channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
			@Override
			public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
				H1ServerConnectionCloseTests.this.heldWrites.add(msg);
			}
		});
		this.connection = new H1ServerProtocol().accept(this.channel, link(policy));
		this.connection.start();
	}

	private ServerLink link(StreamTypePolicy policy) {
		return (ServerLink) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { ServerLink.class },
				(proxy, method, args) -> switch (method.getName()) {
					case "policy" -> policy;
					case "limits" -> ProtocolLimits.DEFAULTS;
					case "metadata" -> this.metadata;
					case "receivedMetadata" -> {
						this.metadata.setReceived((String) args[0], (byte[]) args[1]);
						yield null;
					}
					case "isActive", "takeTxRequest" -> true;
					case "txRequested", "responseRequested" -> this.txRequested;
					case "txLength" -> -1L;
					case "responseStatus" -> 200;
					case "describe" -> "test connection";
					case "handOver" -> proxy;
					case "state" -> onState((StreamState) args[0]);
					case "rx" -> StreamResult.OK;
					case "tx" -> {
						((ByteBuf) args[0]).writeBytes("ok".getBytes(StandardCharsets.US_ASCII));
						this.txRequested = false;
						yield new TxResult(StreamResult.OK, StreamFlags.SOM | StreamFlags.EOM, 2);
					}
					default -> null;
				});
	}

	private StreamResult onState(StreamState state) {
		if (state == StreamState.SERVER_TXN) {
			this.transactions.add(this.metadata.text("path"));
			this.txRequested = true;
			this.channel.eventLoop().execute(this.connection::requestWrite);
		}
		return StreamResult.OK;
	}

	private static ByteBuf ascii(String text) {
		return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
	}

}
