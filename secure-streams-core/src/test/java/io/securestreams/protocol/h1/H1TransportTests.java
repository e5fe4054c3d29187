package io.securestreams.protocol.h1;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.SshSocksProxy;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TransitionGuard;
import io.securestreams.transport.HostNameLookup;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where connections go: Unix domain sockets (filesystem and abstract), TLS client certificates
 * from the blob store, and a SOCKS5 proxy.
 */
class H1TransportTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final TransitionGuard guard = new TransitionGuard();

	private final SystemBlobs blobs = new SystemBlobs();

	private SecureStreams streams;

	@TempDir
	Path temp;

	@AfterEach
	void stop() {
		if (this.streams != null) {
			this.streams.close();
		}
		this.guard.assertNoViolations();
	}

	private RecordingHandler get(java.util.function.Consumer<StreamTypePolicy.Builder> keys) {
		return get(keys, HostNameLookup.JDK);
	}

	private RecordingHandler get(java.util.function.Consumer<StreamTypePolicy.Builder> keys, HostNameLookup lookup) {
		PolicyFragment fragment = TestPolicies.base();
		keys.accept(TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", 1, "GET", "/path"));
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(1).systemBlobs(this.blobs)
			.hostNameLookup(lookup).listener(this.guard).build();
		RecordingHandler handler = new RecordingHandler();
		this.streams.create("t", handler).requestTx();
		return handler;
	}

	@Test
	void unixSocketEndpointReachesAServerOnAUnixSocket() throws Exception {
		Path socket = this.temp.resolve("http.sock");
		Server jetty = new Server();
		UnixDomainServerConnector connector = new UnixDomainServerConnector(jetty);
		connector.setUnixDomainPath(socket);
		jetty.addConnector(connector);
		jetty.setHandler(new Handler.Abstract() {
			@Override
			public boolean handle(Request request, Response response, Callback callback) {
				response.setStatus(200);
				Content.Sink.write(response, true, "via unix socket " + Request.getPathInContext(request), callback);
				return true;
			}
		});
		jetty.start();
		try {
			RecordingHandler handler = get((b) -> b.set(StreamTypeKey.ENDPOINT, "+" + socket));
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("via unix socket /path");
		}
		finally {
			jetty.stop();
		}
	}

	@Test
	void abstractSocketEndpointReachesAServerInTheAbstractNamespace() throws Exception {
		assumeTrue(Epoll.isAvailable(), "abstract sockets need the native epoll transport (Linux)");
		String name = "ss-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
		EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
		try {
			Channel listener = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
				.childHandler(new ChannelInitializer<Channel>() {
					@Override
					protected void initChannel(Channel ch) {
						ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
								new SimpleChannelInboundHandler<FullHttpRequest>() {
									@Override
									protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
										DefaultFullHttpResponse response = new DefaultFullHttpResponse(
												HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
												Unpooled.copiedBuffer("abstract " + request.uri(),
														StandardCharsets.UTF_8));
										response.headers().set(HttpHeaderNames.CONTENT_LENGTH,
												response.content().readableBytes());
										ctx.writeAndFlush(response);
									}
								});
					}
				})
				.bind(new DomainSocketAddress("\0" + name)).sync().channel();
			RecordingHandler handler = get((b) -> b.set(StreamTypeKey.ENDPOINT, "+@" + name));
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("abstract /path");
			listener.close().sync();
		}
		finally {
			group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
		}
	}

	@Test
	void clientCertificateFromTheBlobStoreIsPresented() throws Exception {
		try (MockWebServer server = new MockWebServer()) {
			server.useHttps(TestPki.serverContext(TestPki.server()).getSocketFactory());
			server.requireClientAuth();
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().body("hello device").build());
			this.blobs.clientCertificate(0,
					TestPki.client().getCertificatePathPEM().getBytes(StandardCharsets.US_ASCII),
					TestPki.client().getPrivateKeyPEM().getBytes(StandardCharsets.US_ASCII));
			RecordingHandler handler = get((b) -> b.set(StreamTypeKey.ENDPOINT, "localhost")
				.set(StreamTypeKey.PORT, server.getPort())
				.set(StreamTypeKey.TLS, true)
				.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
				.set(StreamTypeKey.CLIENT_CERT, 0));
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			RecordedRequest request = server.takeRequest();
			assertThat(request.getHandshake().peerPrincipal().getName()).contains("CN=device-0001");
		}
	}

	@Test
	void tlsClientSendsTheEndpointAsServerNameIndication() throws Exception {
		try (MockWebServer server = new MockWebServer()) {
			server.useHttps(TestPki.serverContext(TestPki.server()).getSocketFactory());
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().body("named").build());
			RecordingHandler handler = get((b) -> b.set(StreamTypeKey.ENDPOINT, "localhost")
				.set(StreamTypeKey.PORT, server.getPort())
				.set(StreamTypeKey.TLS, true)
				.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca"));
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(server.takeRequest().getHandshakeServerNames()).containsExactly("localhost");
		}
	}

	@Test
	void missingClientCertificateFailsTheAttempt() {
		RecordingHandler handler = get((b) -> b.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.CLIENT_CERT, 3)
			.set(StreamTypeKey.RETRY, null));
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
	}

	@Test
	void socks5ProxyCarriesPlainAndTlsStreamsEndToEnd() throws Exception {
		try (SshSocksProxy socks = new SshSocksProxy(this.temp); MockWebServer server = new MockWebServer()) {
			server.useHttps(TestPki.serverContext(TestPki.server()).getSocketFactory());
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().body("through the tunnel").build());
			RecordingHandler handler = get((b) -> b.set(StreamTypeKey.ENDPOINT, "localhost")
				.set(StreamTypeKey.PORT, server.getPort())
				.set(StreamTypeKey.TLS, true)
				.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
				.set(StreamTypeKey.VIA_SOCKS5, socks.address()));
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("through the tunnel");
			assertThat(socks.forwardedConnections()).isEqualTo(1);
		}
	}

	@Test
	void aSocks5ProxyNamedByHostNameIsLookedUpAndUsed() throws Exception {
		try (SshSocksProxy socks = new SshSocksProxy(this.temp); MockWebServer server = new MockWebServer()) {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().body("named proxy").build());
			String named = "localhost" + socks.address().substring(socks.address().lastIndexOf(':'));
			RecordingHandler handler = get((b) -> b.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
				.set(StreamTypeKey.PORT, server.getPort())
				.set(StreamTypeKey.VIA_SOCKS5, named));
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("named proxy");
			assertThat(socks.forwardedConnections()).isEqualTo(1);
		}
	}

	@Test
	void aSocks5ProxyNamedByHostNameIsTriedAtEachOfItsAddresses() throws Exception {
		try (SshSocksProxy socks = new SshSocksProxy(this.temp); MockWebServer server = new MockWebServer()) {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().body("second address").build());
			String named = "socks.test" + socks.address().substring(socks.address().lastIndexOf(':'));
			// ::1 first, where nothing listens on the proxy's port.
			HostNameLookup lookup = (host) -> new InetAddress[] {
					InetAddress.getByAddress(host, InetAddress.getByName("::1").getAddress()),
					InetAddress.getByAddress(host, new byte[] { 127, 0, 0, 1 }) };
			RecordingHandler handler = get((b) -> b.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
				.set(StreamTypeKey.PORT, server.getPort())
				.set(StreamTypeKey.VIA_SOCKS5, named), lookup);
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("second address");
			assertThat(handler.stateNames()).containsOnlyOnce("CONNECTING").doesNotContain("UNREACHABLE");
		}
	}

	@Test
	void aSocks5ProxyWhoseNameDoesNotResolveFailsTheAttempt() {
		RecordingHandler handler = get((b) -> b.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, 9)
			.set(StreamTypeKey.VIA_SOCKS5, "no-such-proxy.invalid:1080"));
		handler.await(StreamState.UNREACHABLE, WAIT);
		assertThat(handler.stateNames()).startsWith("CREATING", "POLL", "CONNECTING", "UNREACHABLE");
	}

}
