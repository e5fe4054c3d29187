package io.securestreams.benchmarks.mqtt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.securestreams.benchmarks.support.Harness;

/**
 * Compares MQTT 3.1.1 clients against one local mosquitto: this runtime, Eclipse Paho and the
 * HiveMQ MQTT client, interleaved round by round so that they share the machine's conditions.
 * Prints the median of the rounds as a Markdown table.
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.securestreams.benchmarks.mqtt.MqttComparison \
 *     [--rounds 5] [--warmup 0] [--messages 50000] [--window 256] [--round-trips 2000] [--size 64] \
 *     [--mosquitto /usr/sbin/mosquitto [--broker-nodelay false] | --port 1883] [--threads 2] \
 *     [--clients secure-streams,paho,hivemq]
 * </pre>
 * Without {@code --port} the harness starts its own mosquitto on a free loopback port, so results
 * do not depend on a shared broker; {@code --broker-nodelay true} sets its
 * {@code set_tcp_nodelay}.
 */
public final class MqttComparison {

	private static final String QOS0 = "QoS 0 publish (messages/s)";

	private static final String CPU0 = "QoS 0 CPU per message (µs, whole JVM)";

	private static final String CPU1 = "QoS 1 CPU per message (µs, whole JVM)";

	private static final String RTT50 = "QoS 1 round trip p50 (µs)";

	private static final String RTT99 = "QoS 1 round trip p99 (µs)";

	private MqttComparison() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = Harness.options(args, "broker-nodelay",
				"clients", "messages", "mosquitto", "port", "round-trips", "rounds", "size", "threads", "warmup",
				"window");
		int rounds = Integer.parseInt(options.getOrDefault("rounds", "5"));
		int warmup = Integer.parseInt(options.getOrDefault("warmup", "0"));
		int messages = Integer.parseInt(options.getOrDefault("messages", "50000"));
		int window = Integer.parseInt(options.getOrDefault("window", "256"));
		int roundTrips = Integer.parseInt(options.getOrDefault("round-trips", "2000"));
		int size = Integer.parseInt(options.getOrDefault("size", "64"));
		int threads = Integer.parseInt(options.getOrDefault("threads", "2"));
		String qos1 = "QoS 1 publish, " + window + " unacknowledged (messages/s)";
		byte[] payload = new byte[size];
		Arrays.fill(payload, (byte) 'm');
		String loadBefore = Harness.loadAverage();
		Mosquitto broker = options.containsKey("port") ? null
				: Mosquitto.start(options.getOrDefault("mosquitto", "/usr/sbin/mosquitto"),
						Boolean.parseBoolean(options.getOrDefault("broker-nodelay", "false")));
		int port = (broker != null) ? broker.port() : Integer.parseInt(options.get("port"));
		List<MqttClientUnderTest> clients = new ArrayList<>();
		Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
		try {
			List<String> wanted = List.of(options.getOrDefault("clients", "secure-streams,paho,hivemq").split(","));
			if (wanted.contains("secure-streams")) {
				clients.add(new SecureStreamsMqttClient(port, payload, threads));
			}
			if (wanted.contains("paho")) {
				clients.add(new PahoMqttClient(port, payload, window));
			}
			if (wanted.contains("hivemq")) {
				clients.add(new HiveMqMqttClient(port, payload));
			}
			for (int i = 0; i < 2; i++) {
				for (MqttClientUnderTest client : clients) {
					client.publishQos0(messages / 2, window);
					client.publishQos1(messages / 2, window);
					client.roundTrips(roundTrips / 2);
				}
			}
			// Full rounds, unrecorded, on top of the short warm-up above.
			for (int round = 1 - warmup; round <= rounds; round++) {
				for (MqttClientUnderTest client : clients) {
					Map<String, List<Double>> mine = (round < 1) ? new LinkedHashMap<>()
							: results.computeIfAbsent(client.name(), (n) -> new LinkedHashMap<>());
					long cpu = Harness.processCpuNanos();
					Harness.add(mine, QOS0, messages / Harness.seconds(client.publishQos0(messages, window)));
					Harness.add(mine, CPU0, (Harness.processCpuNanos() - cpu) / 1e3 / messages);
					cpu = Harness.processCpuNanos();
					Harness.add(mine, qos1, messages / Harness.seconds(client.publishQos1(messages, window)));
					Harness.add(mine, CPU1, (Harness.processCpuNanos() - cpu) / 1e3 / messages);
					long[] times = client.roundTrips(roundTrips);
					Arrays.sort(times);
					Harness.add(mine, RTT50, times[times.length / 2] / 1e3);
					Harness.add(mine, RTT99, times[(int) Math.ceil(times.length * 0.99) - 1] / 1e3);
					System.err.printf("round %d %s done%n", round, client.name());
				}
			}
		}
		finally {
			for (MqttClientUnderTest client : clients) {
				client.close();
			}
			if (broker != null) {
				broker.close();
			}
		}
		print(results, List.of(QOS0, qos1, RTT50, RTT99, CPU0, CPU1), rounds, warmup, size, threads, broker != null,
				Boolean.parseBoolean(options.getOrDefault("broker-nodelay", "false")), loadBefore,
				Harness.loadAverage());
	}

	private static void print(Map<String, Map<String, List<Double>>> results, List<String> metrics, int rounds,
			int warmup, int size, int threads, boolean ownBroker, boolean noDelay, String loadBefore,
			String loadAfter) {
		List<String> names = new ArrayList<>(results.keySet());
		System.out.printf("Median of %d interleaved rounds%s; %d-byte payloads; %s mosquitto on loopback%s; "
				+ "secure-streams with %d event-loop threads; %s.%n%n", rounds,
				(warmup > 0) ? " after " + warmup + " unrecorded ones" : "", size,
				ownBroker ? "the harness's own" : "an existing", ownBroker ? " (set_tcp_nodelay " + noDelay + ")" : "",
				threads, Harness.machine(loadBefore, loadAfter));
		StringBuilder header = new StringBuilder("| measure | " + String.join(" | ", names) + " |");
		for (int i = 1; i < names.size(); i++) {
			header.append(" ss vs ").append(names.get(i)).append(" |");
		}
		System.out.println(header);
		System.out.println("|---|" + "---|".repeat(2 * names.size() - 1));
		for (String metric : metrics) {
			StringBuilder row = new StringBuilder("| " + metric + " |");
			String format = metric.contains("CPU") ? " %.2f |" : " %.0f |";
			double[] values = new double[names.size()];
			for (int i = 0; i < names.size(); i++) {
				values[i] = Harness.median(results.get(names.get(i)).get(metric));
				row.append(String.format(format, values[i]));
			}
			// Ratios read "times better": throughput ours/theirs, latency theirs/ours.
			boolean latency = metric.contains("µs");
			for (int i = 1; i < names.size(); i++) {
				row.append(String.format(" %.2f |", latency ? values[i] / values[0] : values[0] / values[i]));
			}
			System.out.println(row);
		}
		System.out.println("\nRatios: > 1 means secure-streams is better (more messages/s, or fewer µs). CPU is the"
				+ " harness JVM's CPU time (every thread, GC included; not the broker's) during the run, per message.");
		System.out.println("\nAll rounds: " + results);
	}

}
