package io.securestreams.benchmarks.h1;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.securestreams.benchmarks.support.Harness;
import io.securestreams.policy.Protocol;

/**
 * Compares http/1.1 or HTTP/2 clients against one local TLS server (for example the nginx of the
 * shared test peers), interleaving the clients round by round so that they share the machine's
 * conditions. Prints the median of the rounds as a Markdown table.
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.securestreams.benchmarks.h1.HttpClientComparison \
 *     --host localhost --port 8443 --ca /tmp/ss-peers/pki/ca.crt [--rounds 5] [--warmup 0] [--threads 2] \
 *     [--clients secure-streams,reactor-netty,jdk-httpclient,plain-netty] [--protocol h1|h2]
 * </pre>
 * The server must serve {@code /1k} (1 KiB) and {@code /100k} (100 KiB), and h2 by ALPN for
 * {@code --protocol h2}. This runtime always runs (it is the one compared); {@code --clients}
 * picks the others, for example none when profiling. {@code plain-netty} is a hand-written Netty
 * pipeline, the floor any Netty-based client builds on; it speaks http/1.1 only, so
 * {@code --protocol h2} leaves it out. Over h2 this runtime's streams to one endpoint share one
 * connection, so no client is measured on a new connection per transaction.
 */
public final class HttpClientComparison {

	private static final int TRANSACTIONS = 10_000;

	private static final int BULK_TRANSACTIONS = 2_000;

	private static final int NEW_CONNECTIONS = 300;

	private static final String USAGE = """
			Usage: java -cp benchmarks/target/benchmarks.jar io.securestreams.benchmarks.h1.HttpClientComparison \\
			    --host localhost --port 8443 --ca /tmp/ss-peers/pki/ca.crt [--rounds 5] [--warmup 0] [--threads 2] \\
			    [--clients secure-streams,reactor-netty,jdk-httpclient,plain-netty] [--protocol h1|h2]""";

	private HttpClientComparison() {
	}

	public static void main(String[] args) throws Exception {
		if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
			System.out.println(USAGE);
			return;
		}
		Map<String, String> options = Harness.options(args, "ca",
				"clients", "host", "port", "protocol", "rounds", "threads", "warmup");
		Protocol protocol = protocol(options.getOrDefault("protocol", "h1"));
		// Over h2 our streams share one connection per endpoint: a new one per transaction cannot be forced.
		boolean newConnections = protocol == Protocol.H1;
		List<String> notes = new ArrayList<>();
		String host = options.getOrDefault("host", "localhost");
		int port = Integer.parseInt(options.getOrDefault("port", "8443"));
		Path ca = Path.of(options.getOrDefault("ca", "/tmp/ss-peers/pki/ca.crt"));
		int rounds = Integer.parseInt(options.getOrDefault("rounds", "5"));
		int warmup = Integer.parseInt(options.getOrDefault("warmup", "0"));
		int threads = Integer.parseInt(options.getOrDefault("threads", "2"));
		System.setProperty("jdk.httpclient.allowRestrictedHeaders", "connection");
		List<String> wanted = List.of(
				options.getOrDefault("clients", "secure-streams,reactor-netty,jdk-httpclient,plain-netty").split(","));
		List<HttpClientUnderTest> clients = new ArrayList<>();
		clients.add(new SecureStreamsClient(host, port, ca, threads, protocol));
		if (wanted.contains("reactor-netty")) {
			clients.add(new ReactorNettyClient(host, port, ca, threads, protocol));
		}
		if (wanted.contains("jdk-httpclient")) {
			clients.add(new JdkClient(host, port, ca, threads, protocol));
		}
		if (wanted.contains("plain-netty")) {
			if (protocol == Protocol.H1) {
				clients.add(new PlainNettyClient(host, port, ca, threads));
			}
			else {
				notes.add("plain-netty is left out (and its column with it): it is a hand-written http/1.1 pipeline.");
			}
		}
		if (!newConnections) {
			notes.add("No new-connection rows: over h2 this runtime's streams to one endpoint share one connection, "
					+ "so a new TLS connection per transaction cannot be forced; the rows are left out for every "
					+ "client.");
		}
		for (String note : notes) {
			System.err.println("Note: " + note);
		}
		Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
		String loadBefore = Harness.loadAverage();
		for (HttpClientUnderTest client : clients) {
			// Warm up: JIT, TLS session caches, connection pools.
			client.get("/1k", 3000, 16);
			client.get("/100k", 300, 1);
			if (newConnections) {
				client.getOnNewConnections("/1k", 50);
			}
		}
		// Full rounds first, unrecorded: every client's code paths (ours included) keep getting
		// faster for a few rounds of 10,000 transactions while the JIT compiles them.
		for (int round = 1; round <= warmup; round++) {
			for (HttpClientUnderTest client : clients) {
				runRound(client, new LinkedHashMap<>(), newConnections);
				System.err.printf("warm-up round %d %s done%n", round, client.name());
			}
		}
		for (int round = 1; round <= rounds; round++) {
			for (HttpClientUnderTest client : clients) {
				runRound(client, results.computeIfAbsent(client.name(), (n) -> new LinkedHashMap<>()), newConnections);
				System.err.printf("round %d %s done%n", round, client.name());
			}
		}
		SecureStreamsClient ours = (SecureStreamsClient) clients.get(0);
		long perStream = ours.bytesPerIdleStream(10_000);
		for (HttpClientUnderTest client : clients) {
			client.close();
		}
		print(results, rounds, warmup, perStream, protocol, notes);
		System.out.printf("%nMachine: %s%n", Harness.machine(loadBefore, Harness.loadAverage()));
	}

	private static void runRound(HttpClientUnderTest client, Map<String, List<Double>> mine, boolean newConnections)
			throws Exception {
		long c0 = Harness.processCpuNanos();
		long t0 = System.nanoTime();
		client.get("/1k", TRANSACTIONS, 1);
		long c1 = Harness.processCpuNanos();
		long t1 = System.nanoTime();
		client.get("/1k", TRANSACTIONS, 16);
		long c2 = Harness.processCpuNanos();
		long t2 = System.nanoTime();
		long bytes = client.get("/100k", BULK_TRANSACTIONS, 1);
		long c3 = Harness.processCpuNanos();
		long t3 = System.nanoTime();
		long c4 = c3;
		long t4 = t3;
		if (newConnections) {
			client.getOnNewConnections("/1k", NEW_CONNECTIONS);
			c4 = Harness.processCpuNanos();
			t4 = System.nanoTime();
		}
		Harness.add(mine, "1 KiB sequential (txn/s)", TRANSACTIONS / Harness.seconds(t1 - t0));
		Harness.add(mine, "1 KiB concurrency 16 (txn/s)", TRANSACTIONS / Harness.seconds(t2 - t1));
		Harness.add(mine, "100 KiB sequential (MB/s)", bytes / 1e6 / Harness.seconds(t3 - t2));
		if (newConnections) {
			Harness.add(mine, "new TLS connection per GET (ms)", (t4 - t3) / 1e6 / NEW_CONNECTIONS);
		}
		// CPU of this JVM (every thread, GC included; the server is another process): far
		// steadier than throughput on a shared machine. Lower is better.
		Harness.add(mine, "1 KiB sequential: client CPU per GET (µs)", (c1 - c0) / 1e3 / TRANSACTIONS);
		Harness.add(mine, "1 KiB concurrency 16: client CPU per GET (µs)", (c2 - c1) / 1e3 / TRANSACTIONS);
		Harness.add(mine, "100 KiB sequential: client CPU per MB (ms)", (c3 - c2) / 1e6 / (bytes / 1e6));
		if (newConnections) {
			Harness.add(mine, "new TLS connection: client CPU per GET (ms)", (c4 - c3) / 1e6 / NEW_CONNECTIONS);
		}
	}

	private static Protocol protocol(String name) {
		Protocol protocol = Protocol.fromJsonName(name);
		if (protocol != Protocol.H1 && protocol != Protocol.H2) {
			throw new IllegalArgumentException("--protocol must be h1 or h2, not '" + name + "'\n" + USAGE);
		}
		return protocol;
	}

	// How many times better the first client is than the second.
	private static double ratio(boolean rate, double first, double second) {
		return rate ? first / second : second / first;
	}

	private static void print(Map<String, Map<String, List<Double>>> results, int rounds, int warmup,
			long perStream, Protocol protocol, List<String> notes) {
		List<String> names = new ArrayList<>(results.keySet());
		List<String> metrics = new ArrayList<>(results.get(names.get(0)).keySet());
		if (protocol == Protocol.H2) {
			System.out.println("Protocol: h2 (every client negotiates it by ALPN).\n");
		}
		for (String note : notes) {
			System.out.println("Note: " + note + "\n");
		}
		System.out.println("Median of " + rounds + " interleaved rounds"
				+ ((warmup > 0) ? " after " + warmup + " unrecorded ones" : "") + ".\n");
		int reactor = names.indexOf("reactor-netty");
		int plain = names.indexOf("plain-netty");
		boolean plainColumn = reactor >= 0 && plain >= 0;
		System.out.println("| measure | " + String.join(" | ", names) + " | vs reactor-netty (>1 favours ours) |"
				+ (plainColumn ? " plain-netty vs reactor-netty |" : ""));
		System.out.println("|---|" + "---|".repeat(names.size() + (plainColumn ? 2 : 1)));
		for (String metric : metrics) {
			StringBuilder row = new StringBuilder("| " + metric + " |");
			double[] values = new double[names.size()];
			for (int i = 0; i < names.size(); i++) {
				values[i] = Harness.median(results.get(names.get(i)).get(metric));
				row.append(String.format(" %.1f |", values[i]));
			}
			// Rates (per second) are better higher; times and CPU costs are better lower.
			boolean rate = metric.contains("/s)");
			if (reactor >= 0) {
				row.append(String.format(" %.2f |", ratio(rate, values[0], values[reactor])));
			}
			else {
				row.append(" - |");
			}
			if (plainColumn) {
				row.append(String.format(" %.2f |", ratio(rate, values[plain], values[reactor])));
			}
			System.out.println(row);
		}
		System.out.println("\nAll rounds: " + results);
		System.out.println("\nHeap retained per idle created stream (10,000 streams): " + perStream + " bytes");
	}

}
