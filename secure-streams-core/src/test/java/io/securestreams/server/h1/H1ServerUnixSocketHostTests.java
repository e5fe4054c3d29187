package io.securestreams.server.h1;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.securestreams.SecureStreams;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Unix socket listener has no host to check a Host header against, and libwebsockets' clients
 * send their endpoint there ({@code +/path}), which is no valid host: it is served, where a TCP
 * listener answers 400 (H1ServerSmugglingTests).
 */
class H1ServerUnixSocketHostTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@TempDir
	Path directory;

	@Test
	void aHostNamingTheSocketPathIsServed() throws Exception {
		Path socket = this.directory.resolve("srv.sock");
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false)
			.set(StreamTypeKey.ENDPOINT, "+" + socket);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		streams.create("srv", new RoutingServerHandler());
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			channel.connect(UnixDomainSocketAddress.of(socket));
			OutputStream out = Channels.newOutputStream(channel);
			out.write(("GET /hello?name=unix HTTP/1.1\r\nHost: +" + socket + "\r\n\r\n")
				.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			InputStream in = Channels.newInputStream(channel);
			String[] answer = H1Wire.response(in, false);
			assertThat(answer[0]).startsWith("HTTP/1.1 200");
			assertThat(answer[1]).isEqualTo("hello unix");
		}
	}

}
