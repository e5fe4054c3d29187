package io.securestreams.benchmarks.ws;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.securestreams.benchmarks.support.Harness;

/**
 * Compares ws echo over loopback: this runtime's client and server against Reactor Netty's,
 * each client against each server, so that a reader can tell client cost from server cost.
 * Every connection has exactly one message in flight: it sends a message and sends the next
 * once the whole echo has come back. Pairs run interleaved, round by round, so they share the
 * machine's conditions; the report is the median of the rounds, as a Markdown table.
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.securestreams.benchmarks.ws.WsEchoComparison \
 *     [--rounds 5] [--warmup 0] [--threads 2] [--connections 8] [--scale 1] [--plain false] \
 *     [--pairs ss-ss,rn-rn,ss-rn,rn-ss,plain-plain,plain-ss,plain-rn] [--sizes 1024,65536]
 * </pre>
 * {@code --warmup} full rounds run, unrecorded, after the short built-in warm-up;
 * {@code --threads} is the event-loop count of each client and of each server; {@code --scale}
 * multiplies the message counts; {@code --plain true} adds a hand-written Netty client and
 * server ({@code plain-netty}, the floor any Netty-based ws stack builds on) as the pairs
 * plain → plain, plain → ss and plain → rn; {@code --pairs} and {@code --sizes} restrict the run
 * (for profiling; the three ss/rn ratio columns need the four ss/rn pairs, the plain one needs
 * plain → plain and rn → rn).
 */
public final class WsEchoComparison {

	private static final int SMALL = 1024;

	private static final int LARGE = 64 * 1024;

	private WsEchoComparison() {
	}

	/** One row of the report. */
	private record Measure(String label, int connections, int messagesPerConnection, int size, boolean megabytes) {

		double value(long nanos) {
			double seconds = Harness.seconds(nanos);
			long messages = (long) this.connections * this.messagesPerConnection;
			return this.megabytes ? messages * (double) this.size / 1e6 / seconds : messages / seconds;
		}

	}

	/** A client and the server it talks to. */
	private record Pair(WsClientUnderTest client, WsServerUnderTest server) {

		String label() {
			return short_(this.client.name()) + " → " + short_(this.server.name());
		}

		private static String short_(String name) {
			return switch (name) {
				case "secure-streams" -> "ss";
				case "plain-netty" -> "plain";
				default -> "rn";
			};
		}

	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = Harness.options(args, "connections",
				"pairs", "plain", "rounds", "scale", "sizes", "threads", "warmup");
		int rounds = Integer.parseInt(options.getOrDefault("rounds", "5"));
		int warmup = Integer.parseInt(options.getOrDefault("warmup", "0"));
		int threads = Integer.parseInt(options.getOrDefault("threads", "2"));
		int connections = Integer.parseInt(options.getOrDefault("connections", "8"));
		double scale = Double.parseDouble(options.getOrDefault("scale", "1"));
		List<Measure> measures = List.of(
				new Measure("1 KiB, 1 connection (round trips/s)", 1, Harness.count(20_000, scale), SMALL, false),
				new Measure("1 KiB, " + connections + " connections (round trips/s)", connections,
						Harness.count(40_000 / connections, scale), SMALL, false),
				new Measure("64 KiB, 1 connection (MB/s)", 1, Harness.count(2_000, scale), LARGE, true),
				new Measure("64 KiB, " + connections + " connections (MB/s)", connections,
						Harness.count(4_000 / connections, scale), LARGE, true));
		String loadBefore = Harness.loadAverage();
		SecureStreamsWsServer ourServer = new SecureStreamsWsServer(threads);
		ReactorNettyWsServer theirServer = new ReactorNettyWsServer(threads);
		Map<String, Integer> ports = new LinkedHashMap<>();
		ports.put(ourServer.name(), ourServer.port());
		ports.put(theirServer.name(), theirServer.port());
		SecureStreamsWsClient ourClient = new SecureStreamsWsClient(ports, threads);
		ReactorNettyWsClient theirClient = new ReactorNettyWsClient(threads);
		List<Pair> pairs = new ArrayList<>(List.of(new Pair(ourClient, ourServer), new Pair(theirClient, theirServer),
				new Pair(ourClient, theirServer), new Pair(theirClient, ourServer)));
		PlainNettyWsServer plainServer = null;
		PlainNettyWsClient plainClient = null;
		if (Boolean.parseBoolean(options.getOrDefault("plain", "false"))) {
			plainServer = new PlainNettyWsServer(threads);
			plainClient = new PlainNettyWsClient(threads);
			pairs.addAll(List.of(new Pair(plainClient, plainServer), new Pair(plainClient, ourServer),
					new Pair(plainClient, theirServer)));
		}
		if (options.containsKey("pairs")) {
			// For profiling one pair, e.g. --pairs rn-ss; the ratio columns then need their pairs.
			List<String> wanted = List.of(options.get("pairs").split(","));
			pairs.removeIf((pair) -> !wanted.contains(pair.label().replace(" → ", "-")));
		}
		if (options.containsKey("sizes")) {
			List<String> wanted = List.of(options.get("sizes").split(","));
			measures = measures.stream().filter((m) -> wanted.contains(String.valueOf(m.size()))).toList();
		}
		Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
		try {
			// Warm up: JIT of both stacks, buffer pools.
			for (int i = 0; i < 2; i++) {
				for (Pair pair : pairs) {
					for (Measure measure : measures) {
						pair.client().echo(pair.server(), measure.connections(),
								Math.max(1, measure.messagesPerConnection() / 2), measure.size());
					}
				}
			}
			// Full rounds, unrecorded, on top: both stacks keep getting faster for a few rounds.
			for (int round = 1 - warmup; round <= rounds; round++) {
				for (Pair pair : pairs) {
					Map<String, List<Double>> mine = (round < 1) ? new LinkedHashMap<>()
							: results.computeIfAbsent(pair.label(), (n) -> new LinkedHashMap<>());
					for (Measure measure : measures) {
						long cpu = Harness.processCpuNanos();
						long nanos = pair.client().echo(pair.server(), measure.connections(),
								measure.messagesPerConnection(), measure.size());
						double perMessage = (Harness.processCpuNanos() - cpu) / 1e3
								/ ((long) measure.connections() * measure.messagesPerConnection());
						Harness.add(mine, measure.label(), measure.value(nanos));
						Harness.add(mine, cpuLabel(measure), perMessage);
					}
					System.err.printf("round %d %s done%n", round, pair.label());
				}
			}
		}
		finally {
			ourClient.close();
			theirClient.close();
			ourServer.close();
			theirServer.close();
			if (plainClient != null) {
				plainClient.close();
			}
			if (plainServer != null) {
				plainServer.close();
			}
		}
		print(results, measures, rounds, warmup, threads, loadBefore, Harness.loadAverage());
	}

	/**
	 * Returns the message both clients send: {@code size} bytes of a repeating pattern.
	 * @param size the length
	 * @return the bytes
	 */
	static byte[] payload(int size) {
		byte[] payload = new byte[size];
		for (int i = 0; i < size; i++) {
			payload[i] = (byte) ('a' + i % 26);
		}
		return payload;
	}

	/** Returns how many times better pair {@code a} is than pair {@code b}: throughput a/b, CPU b/a. */
	private static double better(double[] values, int a, int b, boolean cpu) {
		return cpu ? values[b] / values[a] : values[a] / values[b];
	}

	private static String cpuLabel(Measure measure) {
		return measure.label().replaceAll(" \\(.*\\)", "") + ": CPU per round trip (µs, client and server)";
	}

	private static void print(Map<String, Map<String, List<Double>>> results, List<Measure> measures, int rounds,
			int warmup, int threads, String loadBefore, String loadAfter) {
		List<String> pairs = new ArrayList<>(results.keySet());
		boolean plain = pairs.contains("plain → plain");
		System.out.printf("Median of %d interleaved rounds%s; ss = secure-streams, rn = Reactor Netty%s; "
				+ "client → server; one message in flight per connection; %d event-loop threads per client and "
				+ "per server; %s.%n%n", rounds, (warmup > 0) ? " after " + warmup + " unrecorded ones" : "",
				plain ? ", plain = hand-written Netty pipeline" : "", threads, Harness.machine(loadBefore, loadAfter));
		// Ratio columns are looked up by pair, so they mean the same whichever pairs ran.
		int ssss = pairs.indexOf("ss → ss");
		int rnrn = pairs.indexOf("rn → rn");
		int ssrn = pairs.indexOf("ss → rn");
		int rnss = pairs.indexOf("rn → ss");
		int plainPlain = pairs.indexOf("plain → plain");
		boolean ratios = ssss >= 0 && rnrn >= 0 && ssrn >= 0 && rnss >= 0;
		boolean plainRatio = plainPlain >= 0 && rnrn >= 0;
		int extra = (ratios ? 3 : 0) + (plainRatio ? 1 : 0);
		System.out.println("| measure | " + String.join(" | ", pairs)
				+ (ratios ? " | ss→ss / rn→rn | client: ss→rn / rn→rn | server: rn→ss / rn→rn" : "")
				+ (plainRatio ? " | plain→plain / rn→rn" : "") + " |");
		System.out.println("|---|" + "---|".repeat(pairs.size() + extra));
		List<String> rows = new ArrayList<>();
		measures.forEach((measure) -> rows.add(measure.label()));
		measures.forEach((measure) -> rows.add(cpuLabel(measure)));
		for (String label : rows) {
			boolean cpu = label.contains("CPU");
			StringBuilder row = new StringBuilder("| " + label + " |");
			double[] values = new double[pairs.size()];
			for (int i = 0; i < pairs.size(); i++) {
				values[i] = Harness.median(results.get(pairs.get(i)).get(label));
				row.append(String.format(cpu ? " %.1f |" : " %.0f |", values[i]));
			}
			// "Times better": throughput ours/theirs, CPU theirs/ours.
			if (ratios) {
				row.append(String.format(" %.2f | %.2f | %.2f |", better(values, ssss, rnrn, cpu),
						better(values, ssrn, rnrn, cpu), better(values, rnss, rnrn, cpu)));
			}
			if (plainRatio) {
				row.append(String.format(" %.2f |", better(values, plainPlain, rnrn, cpu)));
			}
			System.out.println(row);
		}
		System.out.println("\nRatios: > 1 means the secure-streams side is better (more throughput, or less CPU). "
				+ "CPU is the harness JVM's CPU time (client, server, GC) during the run, per round trip."
				+ (plainRatio ? " plain→plain / rn→rn > 1 means the hand-written Netty pipeline beats Reactor"
						+ " Netty: the room a Netty-based stack has above Reactor Netty on this machine." : ""));
		System.out.println("\nAll rounds: " + results);
	}

}
