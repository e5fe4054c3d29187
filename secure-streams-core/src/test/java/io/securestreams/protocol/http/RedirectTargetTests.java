package io.securestreams.protocol.http;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.awaitility.Awaitility;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a followed redirect leads: on an IPv6 literal the next request goes to the same peer with
 * the same {@code Host} an endpoint of that literal gets ({@code [::1]:port}); a relative location
 * from a Unix socket endpoint stays on that socket; a location that is not http or https is not
 * followed; a location of only a query keeps the requested path, and dot segments are removed
 * as RFC 3986 resolves them; one on another port gets that port in its {@code Host}.
 */
class RedirectTargetTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void anAbsoluteLocationIsFollowedFromARequestPathThatIsNoUriReference() throws Exception {
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.start(InetAddress.getByName("127.0.0.1"), 0);
		int port = server.getPort();
		server.enqueue(new MockResponse.Builder().code(302)
			.setHeader("Location", "http://127.0.0.1:" + port + "/final")
			.build());
		server.enqueue(new MockResponse.Builder().body("arrived").build());
		PolicyFragment fragment = TestPolicies.base();
		// Braces are not allowed unescaped in a URI, but policies send http_url as written.
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", port, "GET", "/items?filter={a}")
			.set(StreamTypeKey.ALLOW_REDIRECTS, true);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		RecordingHandler handler = new RecordingHandler();
		streams.create("t", handler).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("arrived");
		assertThat(server.takeRequest().getTarget()).isEqualTo("/items?filter={a}");
		assertThat(server.takeRequest().getTarget()).isEqualTo("/final");
	}

	@Test
	void aRedirectToAnotherAuthorityIsNotFollowedWhenItWouldCarryTheSystemBlobHeaders() throws Exception {
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.start(InetAddress.getByName("127.0.0.1"), 0);
		MockWebServer elsewhere = this.resources.closing(new MockWebServer());
		elsewhere.start(InetAddress.getByName("127.0.0.1"), 0);
		server.enqueue(new MockResponse.Builder().code(302)
			.setHeader("Location", "http://127.0.0.1:" + elsewhere.getPort() + "/collect")
			.build());
		server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "/moved").build());
		server.enqueue(new MockResponse.Builder().body("moved").build());
		elsewhere.enqueue(new MockResponse.Builder().body("collected").build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", server.getPort(), "GET", "/token")
			.set(StreamTypeKey.ALLOW_REDIRECTS, true)
			.set(StreamTypeKey.HTTP_AUTH_HEADER, "authorization:")
			.set(StreamTypeKey.HTTP_AUTH_PREAMBLE, "Bearer ");
		SystemBlobs blobs = new SystemBlobs();
		blobs.set(SystemBlobs.Type.AUTH, 0, "secret".getBytes(StandardCharsets.US_ASCII));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).systemBlobs(blobs));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.create("t", handler);
		stream.requestTx();
		Awaitility.await().atMost(WAIT).until(() -> handler.states.contains(StreamState.QOS_ACK_REMOTE)
				|| handler.states.contains(StreamState.QOS_NACK_REMOTE));
		// As libwebsockets: the redirect is a failed transaction instead of a leaked token.
		assertThat(elsewhere.getRequestCount()).isZero();
		assertThat(handler.states).contains(StreamState.QOS_NACK_REMOTE);
		// The same authority is still followed, token and all.
		handler.states.clear();
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		server.takeRequest();
		server.takeRequest();
		RecordedRequest moved = server.takeRequest();
		assertThat(moved.getTarget()).isEqualTo("/moved");
		assertThat(moved.getHeaders().get("Authorization")).isEqualTo("Bearer secret");
	}

	@Test
	void aRedirectToALocationThatIsNotHttpIsNotFollowed() throws Exception {
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.start(InetAddress.getByName("127.0.0.1"), 0);
		// Before, an ftp: location was asked for over plain http, on the port it names.
		server.enqueue(new MockResponse.Builder().code(302)
			.setHeader("Location", "ftp://127.0.0.1:" + server.getPort() + "/file")
			.body("moved")
			.build());
		server.enqueue(new MockResponse.Builder().body("fetched over http").build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", server.getPort(), "GET", "/x")
			.set(StreamTypeKey.ALLOW_REDIRECTS, true);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		RecordingHandler handler = new RecordingHandler();
		streams.create("t", handler).requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		// A redirect not followed is the final answer: a rejected transaction, with its own body.
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_NACK_REMOTE", "DISCONNECTED");
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("moved");
		assertThat(server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void redirectsOnAnIpv6EndpointKeepABracketedHostHeader() throws Exception {
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.start(InetAddress.getByName("::1"), 0);
		int port = server.getPort();
		server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "/moved").build());
		server.enqueue(new MockResponse.Builder().code(307).setHeader("Location", "http://[::1]:" + port + "/final")
			.build());
		server.enqueue(new MockResponse.Builder().body("arrived").build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "::1", port, "GET", "/x").set(StreamTypeKey.ALLOW_REDIRECTS, true);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		RecordingHandler handler = new RecordingHandler();
		streams.create("t", handler).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("arrived");
		String authority = "[::1]:" + port;
		for (String path : new String[] { "/x", "/moved", "/final" }) {
			RecordedRequest request = server.takeRequest();
			assertThat(request.getTarget()).isEqualTo(path);
			assertThat(request.getHeaders().get("Host")).isEqualTo(authority);
		}
	}

	@TempDir
	Path temp;

	@Test
	void aRelativeRedirectFromAUnixSocketEndpointStaysOnTheSocket() throws Exception {
		Path socket = this.temp.resolve("http.sock");
		Server jetty = new Server();
		UnixDomainServerConnector connector = new UnixDomainServerConnector(jetty);
		connector.setUnixDomainPath(socket);
		jetty.addConnector(connector);
		jetty.setHandler(new Handler.Abstract() {
			@Override
			public boolean handle(Request request, Response response, Callback callback) {
				if (Request.getPathInContext(request).equals("/x")) {
					response.setStatus(302);
					response.getHeaders().put("Location", "/moved");
					Content.Sink.write(response, true, "", callback);
				}
				else {
					response.setStatus(200);
					Content.Sink.write(response, true, "unix " + Request.getPathInContext(request), callback);
				}
				return true;
			}
		});
		jetty.start();
		this.resources.closing(jetty::stop);
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "+" + socket, 0, "GET", "/x")
			.set(StreamTypeKey.ALLOW_REDIRECTS, true);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		RecordingHandler handler = new RecordingHandler();
		streams.create("t", handler).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("unix /moved");
	}

	@Test
	void aLocationOfOnlyAQueryKeepsTheRequestedPath() throws Exception {
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.start(InetAddress.getByName("127.0.0.1"), 0);
		server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "?page=2").build());
		server.enqueue(new MockResponse.Builder().body("page 2").build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", server.getPort(), "GET", "/list/items?page=1")
			.set(StreamTypeKey.ALLOW_REDIRECTS, true);
		RecordingHandler handler = new RecordingHandler();
		this.resources.start(SecureStreams.builder(fragment.build())).create("t", handler).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(server.takeRequest().getTarget()).isEqualTo("/list/items?page=1");
		// RFC 3986 section 5.2.2 (the JDK's URI.resolve, after RFC 2396, gives /list/?page=2).
		assertThat(server.takeRequest().getTarget()).isEqualTo("/list/items?page=2");
	}

	@Test
	void dotSegmentsOfALocationAreRemovedEvenAboveTheRoot() throws Exception {
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.start(InetAddress.getByName("127.0.0.1"), 0);
		server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "../../b/./c").build());
		server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "/./d/../e").build());
		server.enqueue(new MockResponse.Builder().body("there").build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", server.getPort(), "GET", "/a")
			.set(StreamTypeKey.ALLOW_REDIRECTS, true);
		RecordingHandler handler = new RecordingHandler();
		this.resources.start(SecureStreams.builder(fragment.build())).create("t", handler).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		server.takeRequest();
		// RFC 3986 section 5.2.4, whose examples resolve "../../../g" from /b/c/d;p to /g; the
		// JDK's URI.resolve kept /../b/./c and /./d/../e.
		assertThat(server.takeRequest().getTarget()).isEqualTo("/b/c");
		assertThat(server.takeRequest().getTarget()).isEqualTo("/e");
	}

	@Test
	void aLocationOnAnotherPortIsFollowedThereWithItsHostAndWithoutItsFragment() throws Exception {
		MockWebServer first = this.resources.closing(new MockWebServer());
		first.start(InetAddress.getByName("127.0.0.1"), 0);
		MockWebServer second = this.resources.closing(new MockWebServer());
		second.start(InetAddress.getByName("127.0.0.1"), 0);
		first.enqueue(new MockResponse.Builder().code(301)
			.setHeader("Location", "//127.0.0.1:" + second.getPort() + "/b/c?x=1#frag")
			.body("moved")
			.build());
		second.enqueue(new MockResponse.Builder().code(307).setHeader("Location", "../d").build());
		second.enqueue(new MockResponse.Builder().setHeader("X-Tag", "from-second").body("arrived").build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", first.getPort(), "GET", "/a")
			.set(StreamTypeKey.ALLOW_REDIRECTS, true)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "x-tag:")));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.resources.start(SecureStreams.builder(fragment.build())).create("t", handler);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("arrived");
		assertThat(stream.metadata("tag")).isEqualTo("from-second");
		RecordedRequest moved = second.takeRequest();
		assertThat(moved.getHeaders().get("Host")).isEqualTo("127.0.0.1:" + second.getPort());
		assertThat(moved.getTarget()).isEqualTo("/b/c?x=1");
		assertThat(second.takeRequest().getTarget()).isEqualTo("/d");
	}

}
