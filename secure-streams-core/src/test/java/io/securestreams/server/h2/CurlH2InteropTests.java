package io.securestreams.server.h2;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.ServerProcesses;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our h2 server against Debian's curl, whose h2 is nghttp2's (the interop profile): ALPN over
 * TLS with many requests multiplexed on one connection, an upload echoed byte for byte, prior
 * knowledge in the clear, curl's h2c upgrade request answered over http/1.1, and a path with dot
 * segments sent as it is.
 */
@Tag("interop")
class CurlH2InteropTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@TempDir
	Path dir;

	private final RoutingServerHandler handler = new RoutingServerHandler();

	private SecureStream listen(boolean tls) {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("srv"), Protocol.H2, tls);
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2).limits(ProtocolLimits.DEFAULTS));
		return streams.create("srv", this.handler);
	}

	private static String base(SecureStream listener, boolean tls) {
		return (tls ? "https" : "http") + "://127.0.0.1:" + ((InetSocketAddress) listener.localAddress()).getPort();
	}

	private String curl(String... arguments) throws IOException, InterruptedException {
		Path curl = ServerProcesses.binary("curl", List.of("/usr/bin/curl"), "curl.binary", "CURL");
		Path ca = this.dir.resolve("ca.pem");
		Files.writeString(ca, TestPki.ca().getCertificatePEM());
		List<String> command = new ArrayList<>(List.of(curl.toString(), "--silent", "--show-error",
				"--no-progress-meter", "--cacert", ca.toString(), "--max-time", "30"));
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		byte[] output = process.getInputStream().readAllBytes();
		assertThat(process.waitFor(40, TimeUnit.SECONDS)).isTrue();
		String text = new String(output, StandardCharsets.UTF_8);
		assertThat(process.exitValue()).as("curl %s: %s", command, text).isZero();
		return text;
	}

	@Test
	void curlMultiplexesRequestsOverTlsAndUploads() throws Exception {
		SecureStream listener = listen(true);
		List<String> arguments = new ArrayList<>(List.of("--http2", "--parallel", "--parallel-max", "16",
				"--write-out", "%{http_version} %{response_code} %{num_connects}\\n"));
		for (int i = 0; i < 32; i++) {
			arguments.addAll(List.of("--output", this.dir.resolve("out" + i).toString(),
					base(listener, true) + "/hello?name=c" + i));
		}
		List<String> lines = curl(arguments.toArray(String[]::new)).lines().toList();
		assertThat(lines).hasSize(32).allSatisfy((line) -> assertThat(line).startsWith("2 200 "));
		// Multiplexed: curl waits for the first connection's h2 instead of opening more, so all 32
		// requests share one connection.
		assertThat(lines.stream().mapToInt((line) -> Integer.parseInt(line.split(" ")[2])).sum()).isEqualTo(1);
		for (int i = 0; i < 32; i++) {
			assertThat(this.dir.resolve("out" + i)).hasContent("hello c" + i);
		}
		byte[] body = new byte[2 * 1024 * 1024];
		new Random(3).nextBytes(body);
		Files.write(this.dir.resolve("upload"), body);
		curl("--http2", "--data-binary", "@" + this.dir.resolve("upload"), "--output",
				this.dir.resolve("echoed").toString(), base(listener, true) + "/echo");
		assertThat(Files.readAllBytes(this.dir.resolve("echoed"))).isEqualTo(body);
		Awaitility.await().until(() -> listener.acceptedStreams().isEmpty());
		assertThat(this.handler.acceptedStates(listener)).hasSize(33)
			.allSatisfy((id, states) -> assertThat(states).containsExactly(StreamState.CREATING, StreamState.CONNECTING,
					StreamState.CONNECTED, StreamState.SERVER_TXN, StreamState.DISCONNECTED, StreamState.DESTROYING));
	}

	@Test
	void curlInTheClearGetsH2WithPriorKnowledgeAndHttp1ForAnUpgradeRequest() throws Exception {
		SecureStream listener = listen(false);
		assertThat(curl("--http2-prior-knowledge", "--write-out", " %{http_version}",
				base(listener, false) + "/hello?name=pk")).isEqualTo("hello pk 2");
		assertThat(curl("--http2", "--write-out", " %{http_version}", base(listener, false) + "/hello?name=up"))
			.isEqualTo("hello up 1.1");
	}

	@Test
	void anH2PathIsNormalizedAndAQueryArgumentCannotSetResponseHeaders() throws Exception {
		SecureStream listener = listen(false);
		// --path-as-is: curl sends the dot segments as they are, so the server has to resolve them.
		assertThat(curl("--http2-prior-knowledge", "--path-as-is", "--write-out", " %{content_type}",
				base(listener, false) + "/x/%2e%2e//./hello?name=dots&mime=text/html"))
			.isEqualTo("hello dots text/plain");
	}

}
