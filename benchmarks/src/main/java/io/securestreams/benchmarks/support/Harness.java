package io.securestreams.benchmarks.support;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Static helpers for the loopback comparison harnesses (h1, ws, MQTT, proxy), so that they read
 * their options and describe their runs the same way.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class Harness {

	private Harness() {
	}

	/**
	 * Reads {@code --name value} pairs, refusing a name the harness does not read, so that a
	 * misspelt option fails the run instead of leaving a default in place unnoticed.
	 * @param args the command-line arguments
	 * @param known the names the harness reads (without the {@code --})
	 * @return the values by name (without the {@code --}), in the order given
	 * @throws IllegalArgumentException if a name does not start with {@code --}, is not one of
	 * {@code known}, or has no value
	 */
	public static Map<String, String> options(String[] args, String... known) {
		List<String> names = List.of(known);
		Map<String, String> options = new LinkedHashMap<>();
		for (int i = 0; i < args.length; i += 2) {
			if (!args[i].startsWith("--")) {
				throw new IllegalArgumentException("unexpected argument " + args[i] + " in " + Arrays.toString(args));
			}
			String name = args[i].substring(2);
			if (!names.contains(name)) {
				throw new IllegalArgumentException("unknown option " + args[i] + "; known options: --"
						+ String.join(", --", names));
			}
			if (i + 1 == args.length) {
				throw new IllegalArgumentException("option " + args[i] + " has no value");
			}
			options.put(name, args[i + 1]);
		}
		return options;
	}

	/**
	 * Returns the CPU time of this JVM so far: every thread, GC included.
	 * @return the CPU time in nanoseconds
	 */
	public static long processCpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}

	/**
	 * Returns the 1, 5 and 15 minute load averages, so that a reader can tell a run on a busy
	 * machine.
	 * @return the three values as {@code /proc/loadavg} has them, or {@code unknown} where it
	 * cannot be read (not Linux)
	 */
	public static String loadAverage() {
		try {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
			return String.join(" ", Arrays.copyOf(fields, 3));
		}
		catch (IOException ex) {
			return "unknown";
		}
	}

	/**
	 * Describes the machine and its load around a run, for the line above or below a report.
	 * @param loadBefore the {@link #loadAverage() load average} before the run
	 * @param loadAfter the load average after it
	 * @return for example {@code 8 cores, Java 17.0.9; load average before 0.10 0.20 0.30, after
	 * 1.00 0.50 0.40}
	 */
	public static String machine(String loadBefore, String loadAfter) {
		return String.format("%d cores, Java %s; load average before %s, after %s",
				Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadBefore, loadAfter);
	}

	/**
	 * Scales a message or transaction count, keeping at least one.
	 * @param base the count at scale 1
	 * @param scale the factor
	 * @return {@code base * scale}, rounded, at least 1
	 */
	public static int count(int base, double scale) {
		return Math.max(1, (int) Math.round(base * scale));
	}

	/**
	 * Converts a duration for rates per second.
	 * @param nanos the duration in nanoseconds
	 * @return the duration in seconds
	 */
	public static double seconds(long nanos) {
		return nanos / 1e9;
	}

	/**
	 * Appends one round's value of a metric.
	 * @param results the values of one client (or pair) by metric, in the order first added
	 * @param metric the row label
	 * @param value the value of this round
	 */
	public static void add(Map<String, List<Double>> results, String metric, double value) {
		results.computeIfAbsent(metric, (m) -> new ArrayList<>()).add(value);
	}

	/**
	 * Returns the median of the rounds: for an even count, the upper of the two middle values.
	 * @param values the values of each round, at least one
	 * @return the median
	 */
	public static double median(List<Double> values) {
		double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		return sorted[sorted.length / 2];
	}

}
