package io.securestreams.protocol.h2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.List;

import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockWebServer;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * OkHttp MockWebServers and Jetty h2c servers for the h2 tests, and the streamtype keys that
 * point at them.
 */
final class H2TestServers {

	private H2TestServers() {
	}

	/**
	 * Gives a Jetty server an h2c connector on 127.0.0.1 and an ephemeral port, and the handler,
	 * and starts it; the caller stops it.
	 * @return the connector, whose local port the server listens on
	 */
	static ServerConnector startJettyH2c(Server jetty, Handler handler) throws Exception {
		ServerConnector connector = new ServerConnector(jetty,
				new HTTP2CServerConnectionFactory(new HttpConfiguration()));
		connector.setHost("127.0.0.1");
		connector.setPort(0);
		jetty.addConnector(connector);
		jetty.setHandler(handler);
		jetty.start();
		return connector;
	}

	/**
	 * Starts a server on 127.0.0.1; with {@code H2_PRIOR_KNOWLEDGE} it is plain, otherwise it
	 * serves TLS with the test PKI's {@code localhost} certificate.
	 */
	static MockWebServer start(TestResources resources, okhttp3.Protocol... protocols) {
		MockWebServer server = resources.closing(new MockWebServer());
		List<okhttp3.Protocol> offered = List.of(protocols);
		if (!offered.contains(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE)) {
			server.useHttps(TestPki.serverContext(TestPki.server()).getSocketFactory());
		}
		server.setProtocols(offered);
		try {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return server;
	}

	/** Starts a TLS server that offers h2 and http/1.1 by ALPN. */
	static MockWebServer h2(TestResources resources) {
		return start(resources, okhttp3.Protocol.HTTP_2, okhttp3.Protocol.HTTP_1_1);
	}

	/** Sets an h2 streamtype's keys for a server: TLS with the test trust store, unless it is plain. */
	static StreamTypePolicy.Builder policy(StreamTypePolicy.Builder builder, MockWebServer server, String method,
			String url) {
		TestPolicies.h1(builder, "localhost", server.getPort(), method, url).set(StreamTypeKey.PROTOCOL, Protocol.H2);
		if (server.getProtocols().contains(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE)) {
			return builder.set(StreamTypeKey.ENDPOINT, "127.0.0.1");
		}
		return builder.set(StreamTypeKey.TLS, true).set(StreamTypeKey.TLS_TRUST_STORE, "test_ca");
	}

}
