package io.securestreams.proxy;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.netty.channel.epoll.Epoll;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.smd.SmdClass;
import io.securestreams.smd.SmdMessage;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TransitionGuard;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The runnable proxy: command line errors, and a real process that serves a proxied client and
 * stops cleanly on SIGTERM.
 */
class ProxyMainTests {

	@TempDir
	Path temp;

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', value = { "'' | --policy FILE is required",
			"--policy | --policy needs a value", "--policy --tcp 127.0.0.1:1 | --policy needs a value",
			"--policy POLICY --uds --tcp 127.0.0.1:1 | --uds needs a value",
			"--policy /nonexistent.json | does not exist",
			"--policy POLICY --uds /tmp/a --tcp 127.0.0.1:1 | give only one of --uds, --abstract and --tcp",
			"--policy POLICY --tcp nope | ss-proxy: --tcp needs HOST:PORT, got 'nope'",
			"--policy POLICY --tcp +@x | ss-proxy: --tcp needs HOST:PORT, got '+@x'",
			// Each malformed HOST:PORT named with the option and the value; '[::1' was read as
			// host '[:' and told to use brackets, '[127.0.0.1:1' went on to fail as an unknown host.
			"--policy POLICY --tcp [::1 | ss-proxy: --tcp '[::1' has an unclosed '['",
			"--policy POLICY --tcp [127.0.0.1:1 | ss-proxy: --tcp '[127.0.0.1:1' has an unclosed '['",
			"--policy POLICY --tcp [::1] | ss-proxy: --tcp '[::1]' has no port: write [ADDRESS]:PORT",
			"--policy POLICY --tcp [::1]: | ss-proxy: --tcp '[::1]:' has no port after ':'",
			"--policy POLICY --tcp [::1]x | ss-proxy: --tcp '[::1]x' has 'x' after ']' where ':PORT' belongs",
			"--policy POLICY --tcp host: | ss-proxy: --tcp 'host:' has no port after ':'",
			"--policy POLICY --tcp :1234 | ss-proxy: --tcp ':1234' has no host before ':1234'",
			"--policy POLICY --tcp h:65536 | ss-proxy: --tcp 'h:65536' has port 65536, outside 0 to 65535",
			"--policy POLICY --tcp h:http | ss-proxy: --tcp 'h:http' has a port 'http' that is not a number",
			"--policy POLICY --tcp ::1:1234 | ss-proxy: --tcp '::1:1234': write an IPv6 address in brackets",
			// The client's form of a socket path copied over: it listened on '+/tmp/x' and failed
			// to bind, naming '++/tmp/x.sock'.
			"--policy POLICY --uds +/tmp/x.sock | ss-proxy: --uds '+/tmp/x.sock': the leading '+' marks a Unix "
					+ "socket only in a client's address; give the path itself (/tmp/x.sock)",
			"--policy POLICY --abstract @ | ss-proxy: --abstract '@': empty proxy address",
			"--policy POLICY --abstract +@ | ss-proxy: --abstract '+@': empty proxy address",
			"--policy POLICY --verbose x | unknown option '--verbose'",
			"--policy POLICY --verbose | unknown option '--verbose'", "stray | unexpected argument 'stray'",
			"--policy TEMPDIR | is a directory, not a policy file",
			"--policy POLICY --policy /other.json | --policy given twice" })
	void commandLineErrorsPrintTheProblemAndTheUsage(String line, String problem) throws Exception {
		Path policy = Files.writeString(this.temp.resolve("p.json"), "{}");
		String[] args = line.isBlank() ? new String[0] : line.replace("POLICY", policy.toString())
			.replace("TEMPDIR", this.temp.toString())
			.split(" ");
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		assertThat(ProxyOptions.parse(args, new PrintStream(err, true, StandardCharsets.UTF_8))).isNull();
		assertThat(err.toString(StandardCharsets.UTF_8)).contains(problem).contains(ProxyOptions.USAGE);
	}

	/**
	 * A user copying the address clients give ({@code +@name}) or the one libwebsockets' proxy
	 * takes ({@code @name}) to {@code --abstract}: {@code +@name} listened on the abstract name
	 * "+@name", which no client reaches.
	 */
	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "+@", "@", "" })
	void eachSpellingOfAnAbstractNameListensOnTheNameClientsConnectTo(String prefix) throws Exception {
		assumeThat(Epoll.isAvailable()).as("abstract Unix sockets need the native epoll transport").isTrue();
		Path policy = Files.writeString(this.temp.resolve("p.json"), "{}");
		String name = "ss-proxy-main-test-" + UUID.randomUUID();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		PrintStream print = new PrintStream(err, true, StandardCharsets.UTF_8);
		ProxyOptions options = ProxyOptions.parse(new String[] { "--policy", policy.toString(), "--abstract",
				prefix + name }, print);
		assertThat(options).as(err.toString(StandardCharsets.UTF_8)).isNotNull();
		assertThat(options.address()).isEqualTo(new ProxyAddress(ProxyAddress.Kind.ABSTRACT, name, 0));
		SecureStreamsProxy proxy = ProxyMain.start(options, print);
		assertThat(proxy).as(err.toString(StandardCharsets.UTF_8)).isNotNull();
		try (SecureStreams client = SecureStreams.proxiedBuilder("+@" + name).eventLoopThreads(1).build()) {
			RecordingHandler handler = new RecordingHandler();
			client.createSmd(SmdClass.NETWORK, handler);
			handler.await(StreamState.CONNECTED, Duration.ofSeconds(10));
		}
		finally {
			proxy.close();
		}
	}

	@Test
	void helpIsAskedForByEitherSpellingAnywhereOnTheLine() {
		// Before, --help went down the usage-error path: usage on stderr and exit status 2.
		assertThat(ProxyOptions.wantsHelp(new String[] { "--help" })).isTrue();
		assertThat(ProxyOptions.wantsHelp(new String[] { "--policy", "p.json", "-h" })).isTrue();
		assertThat(ProxyOptions.wantsHelp(new String[] { "--policy", "p.json" })).isFalse();
	}

	@Test
	void aPolicyGivenAsAPipeIsRead() throws Exception {
		// --policy <(generate-policy) or --policy /dev/stdin names a pipe, not a regular file: it
		// was refused as a file that "does not exist" (exit 2), though the policy tool reads one.
		Path pipe = this.temp.resolve("policy.pipe");
		assertThat(new ProcessBuilder("mkfifo", pipe.toString()).inheritIO().start().waitFor()).isZero();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		PrintStream print = new PrintStream(err, true, StandardCharsets.UTF_8);
		ProxyOptions options = ProxyOptions.parse(new String[] { "--policy", pipe.toString(), "--tcp",
				"127.0.0.1:0" }, print);
		assertThat(options).as(err.toString(StandardCharsets.UTF_8)).isNotNull();
		// Opening a pipe for writing waits for its reader: the proxy, below.
		Thread writer = new Thread(() -> {
			try {
				Files.writeString(pipe, "{\"s\":[{\"get\":{\"endpoint\":\"127.0.0.1\",\"protocol\":\"h1\"}}]}");
			}
			catch (java.io.IOException ex) {
				throw new java.io.UncheckedIOException(ex);
			}
		});
		writer.start();
		SecureStreamsProxy proxy = ProxyMain.start(options, print);
		writer.join();
		assertThat(proxy).as(err.toString(StandardCharsets.UTF_8)).isNotNull();
		try {
			assertThat(proxy.context().policy().streamTypes()).containsKey("get");
		}
		finally {
			proxy.close();
		}
	}

	@Test
	void aPolicyThatNeverEndsIsRefusedWithoutFillingTheHeap() {
		// Taken as a pipe is, /dev/zero was read whole: an OutOfMemoryError.
		Path zero = Path.of("/dev/zero");
		assumeThat(Files.isReadable(zero)).as("a /dev/zero to read").isTrue();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		PrintStream print = new PrintStream(err, true, StandardCharsets.UTF_8);
		ProxyOptions options = ProxyOptions.parse(new String[] { "--policy", zero.toString(), "--tcp",
				"127.0.0.1:0" }, print);
		assertThat(options).as(err.toString(StandardCharsets.UTF_8)).isNotNull();
		assertThat(ProxyMain.start(options, print)).isNull();
		assertThat(err.toString(StandardCharsets.UTF_8))
			.contains("ss-proxy: cannot read policy file /dev/zero: it is larger than 67108864 bytes");
	}

	@Test
	void defaultAddressIsTheLibwebsocketsAbstractSocket() throws Exception {
		Path policy = Files.writeString(this.temp.resolve("p.json"), "{}");
		ProxyOptions options = ProxyOptions.parse(new String[] { "--policy", policy.toString() }, System.err);
		assertThat(options.address().toString()).isEqualTo("+@proxy.ss.lws");
	}

	@Test
	void invalidPolicyIsReportedWithItsProblems() throws Exception {
		Path policy = Files.writeString(this.temp.resolve("p.json"), "{\"s\":[{\"x\":{\"nope\":1}}]}");
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		PrintStream print = new PrintStream(err, true, StandardCharsets.UTF_8);
		assertThat(ProxyMain.start(ProxyOptions.parse(new String[] { "--policy", policy.toString() }, print), print))
			.isNull();
		assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not valid").contains("nope");
	}

	/**
	 * docs/proxy.md: an unusable address exits with status 1 and the reason. A TCP port already
	 * taken fails the bind with a checked exception that Netty throws unchecked; it must still end
	 * as that message, not as a stack trace from a context left running.
	 */
	@Test
	void aClientsCpdcheckOnTheBusStartsCaptivePortalDetectionAsInLibwebsockets() throws Exception {
		try (MockWebServer portalCheck = new MockWebServer()) {
			portalCheck.start(InetAddress.getByName("127.0.0.1"), 0);
			portalCheck.enqueue(new MockResponse.Builder().code(204).build());
			Path policy = Files.writeString(this.temp.resolve("policy.json"), "{\"s\":[{\"captive_portal_detect\":{"
					+ "\"endpoint\":\"127.0.0.1\",\"port\":" + portalCheck.getPort() + ",\"protocol\":\"h1\","
					+ "\"http_method\":\"GET\",\"http_url\":\"generate_204\",\"http_expect\":204,"
					+ "\"opportunistic\":true}}]}");
			ByteArrayOutputStream err = new ByteArrayOutputStream();
			PrintStream print = new PrintStream(err, true, StandardCharsets.UTF_8);
			String address = "127.0.0.1:" + freePort();
			SecureStreamsProxy proxy = ProxyMain.start(ProxyOptions.parse(new String[] { "--policy", policy.toString(),
					"--tcp", address }, print), print);
			assertThat(proxy).as(err.toString(StandardCharsets.UTF_8)).isNotNull();
			List<String> results = new CopyOnWriteArrayList<>();
			try (SecureStreams client = SecureStreams.proxiedBuilder(address).eventLoopThreads(1).build()) {
				RecordingHandler handler = new RecordingHandler();
				SecureStream smd = client.createSmd(SmdClass.NETWORK, handler);
				handler.await(StreamState.CONNECTED, Duration.ofSeconds(10));
				proxy.context().smd().subscribe(SmdClass.NETWORK, Runnable::run, (m) -> results.add(m.text()));
				// What lws-minimal-secure-streams-smd-client sends to its proxy every few messages.
				handler.send(new SmdMessage(SmdClass.NETWORK, 0,
						"{\"trigger\": \"cpdcheck\", \"src\":\"SS-test\"}".getBytes(StandardCharsets.UTF_8)).encode(),
						1000);
				smd.requestTx();
				assertThat(portalCheck.takeRequest(10, TimeUnit.SECONDS).getTarget()).isEqualTo("/generate_204");
				Awaitility.await().atMost(Duration.ofSeconds(10))
					.until(() -> results.contains("{\"type\":\"cpd\",\"result\":\"OK\"}"));
			}
			finally {
				proxy.close();
			}
		}
	}

	private static int freePort() throws java.io.IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			return socket.getLocalPort();
		}
	}

	@Test
	void unreadablePolicySaysWhy() throws Exception {
		// A file the proxy may not read (or one gone since the command line was checked) ended
		// with only "cannot read policy file X". A directory is what a test run as root cannot read.
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		PrintStream print = new PrintStream(err, true, StandardCharsets.UTF_8);
		assertThat(ProxyMain.start(new ProxyOptions(this.temp, ProxyAddress.DEFAULT), print)).isNull();
		assertThat(err.toString(StandardCharsets.UTF_8))
			.isEqualTo("ss-proxy: cannot read policy file " + this.temp + ": Is a directory\n");
		err.reset();
		Path gone = this.temp.resolve("gone.json");
		assertThat(ProxyMain.start(new ProxyOptions(gone, ProxyAddress.DEFAULT), print)).isNull();
		assertThat(err.toString(StandardCharsets.UTF_8))
			.isEqualTo("ss-proxy: cannot read policy file " + gone + ": no such file\n");
	}

	@Test
	void unresolvableTcpHostSaysSo() throws Exception {
		// Binding an unresolved address fails with an exception without a message: the error
		// ended in ": null".
		Path policy = Files.writeString(this.temp.resolve("p.json"), "{}");
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		PrintStream print = new PrintStream(err, true, StandardCharsets.UTF_8);
		assertThat(ProxyMain.start(ProxyOptions.parse(new String[] { "--policy", policy.toString(), "--tcp",
				"no-such-host.invalid:0" }, print), print)).isNull();
		assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("ss-proxy: the Secure Streams proxy cannot listen "
				+ "on no-such-host.invalid:0: unknown host 'no-such-host.invalid'\n");
	}

	@Test
	void tcpAddressInUseExitsWithStatus1AndSaysWhy() throws Exception {
		Path policy = Files.writeString(this.temp.resolve("policy.json"), "{\"s\":[{\"get\":{\"endpoint\":"
				+ "\"127.0.0.1\",\"protocol\":\"h1\"}}]}");
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			String address = "127.0.0.1:" + taken.getLocalPort();
			ByteArrayOutputStream err = new ByteArrayOutputStream();
			PrintStream print = new PrintStream(err, true, StandardCharsets.UTF_8);
			ProxyOptions options = ProxyOptions.parse(
					new String[] { "--policy", policy.toString(), "--tcp", address }, print);
			assertThat(ProxyMain.start(options, print)).isNull();
			assertThat(err.toString(StandardCharsets.UTF_8))
				.startsWith("ss-proxy: the Secure Streams proxy cannot listen on " + address + ": ");
			String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
			Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
					ProxyMain.class.getName(), "--policy", policy.toString(), "--tcp", address)
				.redirectErrorStream(true)
				.start();
			boolean exited = process.waitFor(30, TimeUnit.SECONDS);
			if (!exited) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(exited).as("the process exits: %s", output).isTrue();
			assertThat(process.exitValue()).as(output).isEqualTo(1);
			assertThat(output).contains("ss-proxy: the Secure Streams proxy cannot listen on " + address);
		}
	}

	@Test
	void proxyProcessServesAClientAndStopsOnSigterm() throws Exception {
		TransitionGuard guard = new TransitionGuard();
		try (MockWebServer server = new MockWebServer()) {
			server.setDispatcher(new HttpbinDispatcher());
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			Path policy = Files.writeString(this.temp.resolve("policy.json"), """
					{"release":"1","product":"test","schema-version":1,
					 "retry":[{"default":{"backoff":[500,1000],"conceal":3,"jitterpc":10}}],
					 "s":[{"get":{"endpoint":"127.0.0.1","port":%d,"protocol":"h1","http_method":"GET",
					   "http_url":"/bytes/1000","opportunistic":true,"retry":"default"}}]}
					""".formatted(server.getPort()));
			Path socket = this.temp.resolve("ss-proxy.sock");
			String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
			Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
					ProxyMain.class.getName(), "--policy", policy.toString(), "--uds", socket.toString())
				.redirectErrorStream(true)
				.start();
			List<String> output = new CopyOnWriteArrayList<>();
			Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(process.getInputStream(),
					StandardCharsets.UTF_8)).lines().forEach(output::add));
			reader.start();
			try {
				Awaitility.await().atMost(Duration.ofSeconds(30))
					.until(() -> output.stream().anyMatch((l) -> l.contains("listening on +" + socket)));
				try (SecureStreams client = SecureStreams.proxiedBuilder("+" + socket).eventLoopThreads(1)
					.listener(guard)
					.build()) {
					RecordingHandler handler = new RecordingHandler();
					client.create("get", handler).requestTx();
					handler.await(StreamState.DISCONNECTED, Duration.ofSeconds(20));
					assertThat(handler.received()).hasSize(1000);
				}
			}
			finally {
				// SIGTERM; unlike Process.destroy() this keeps the output stream open to read the last lines.
				process.toHandle().destroy();
				assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
				reader.join(5000);
			}
			assertThat(Files.exists(socket)).as("socket file after exit %d: %s", process.exitValue(), output).isFalse();
			assertThat(output).as("exit %d: %s", process.exitValue(), String.join("\n", output))
				.anyMatch((l) -> l.contains("Secure Streams proxy on +" + socket + " stopped"));
			guard.assertNoViolations();
		}
	}

}
