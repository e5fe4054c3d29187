package io.securestreams.benchmarks.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.securestreams.benchmarks.support.Harness;

/**
 * Compares this runtime's http server (an h2 server streamtype, which serves http/1.1 too) with
 * Reactor Netty's, both in this JVM, driven by Debian's {@code h2load} (package
 * {@code nghttp2-client}) over loopback in the clear, servers interleaved round by round.
 * Every request is {@code GET /1k}, answered with 1,024 bytes from memory.
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.securestreams.benchmarks.server.HttpServerComparison \
 *     [--rounds 5] [--warmup 1] [--threads 2] [--requests 100000] [--tls false] [--h2load /usr/bin/h2load]
 * </pre>
 * With {@code --tls true} both servers serve TLS 1.3 with one self-signed certificate and h2 is
 * chosen by ALPN.
 * Measures: h2 with 4 connections of 16 concurrent streams each; h2 with one connection and
 * one stream at a time; http/1.1 with 16 kept-alive connections, one request at a time on each.
 * Besides requests per second it reports the servers' CPU (this JVM's, h2load is another
 * process) per request, which is steadier on a shared machine.
 */
public final class HttpServerComparison {

	private static final Pattern FINISHED = Pattern.compile("finished in [0-9.]+m?s, ([0-9.]+) req/s");

	private static final Pattern REQUESTS = Pattern.compile(
			"requests: (\\d+) total, \\d+ started, \\d+ done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored");

	private HttpServerComparison() {
	}

	/** One h2load configuration. */
	private record Load(String label, int connections, int streams, boolean http1, int requestsDivisor) {

		List<String> command(String h2load, int requests, int port, boolean tls) {
			List<String> command = new ArrayList<>(List.of(h2load, "-n",
					Integer.toString(requests / this.requestsDivisor), "-c", Integer.toString(this.connections),
					"-m", Integer.toString(this.streams), "-t", "1"));
			if (this.http1) {
				command.add("--h1");
			}
			command.add((tls ? "https" : "http") + "://127.0.0.1:" + port + "/1k");
			return command;
		}

	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = Harness.options(args, "requests", "rounds", "threads", "tls", "warmup");
		int rounds = Integer.parseInt(options.getOrDefault("rounds", "5"));
		int warmup = Integer.parseInt(options.getOrDefault("warmup", "1"));
		int threads = Integer.parseInt(options.getOrDefault("threads", "2"));
		int requests = Integer.parseInt(options.getOrDefault("requests", "100000"));
		String h2load = options.getOrDefault("h2load", "/usr/bin/h2load");
		// TLS 1.3 with a self-signed certificate made for this run; h2load does not verify it.
		SelfSignedCertificate tls = Boolean.parseBoolean(options.getOrDefault("tls", "false"))
				? new SelfSignedCertificate("localhost") : null;
		List<Load> loads = List.of(new Load("h2, 4 connections × 16 streams", 4, 16, false, 1),
				new Load("h2, 1 connection × 1 stream", 1, 1, false, 5),
				new Load("http/1.1, 16 connections, no pipelining", 16, 1, true, 1));
		String loadBefore = Harness.loadAverage();
		Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
		try (HttpServerUnderTest ours = new SecureStreamsHttpServer(threads, tls);
				HttpServerUnderTest reactor = new ReactorNettyHttpServer(threads, tls)) {
			List<HttpServerUnderTest> servers = List.of(ours, reactor);
			for (int round = 0; round < warmup + rounds; round++) {
				for (int i = 0; i < servers.size(); i++) {
					// Alternate which server goes first, so neither always runs on a warmer machine.
					HttpServerUnderTest server = servers.get((round + i) % servers.size());
					Map<String, List<Double>> mine = results.computeIfAbsent(server.name(),
							(n) -> new LinkedHashMap<>());
					for (Load load : loads) {
						long cpu = Harness.processCpuNanos();
						double rate = run(load.command(h2load, requests, server.port(), tls != null));
						double cpuPerRequest = (Harness.processCpuNanos() - cpu) / 1e3
								/ (requests / load.requestsDivisor());
						if (round >= warmup) {
							Harness.add(mine, load.label() + " (requests/s)", rate);
							Harness.add(mine, load.label() + ": server CPU per request (µs)", cpuPerRequest);
						}
					}
				}
			}
		}
		report(results, rounds, warmup, loadBefore);
		if (tls != null) {
			tls.delete();
		}
	}

	private static double run(List<String> command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
			throw new IllegalStateException("h2load failed: " + command + "\n" + output);
		}
		Matcher requests = REQUESTS.matcher(output);
		Matcher finished = FINISHED.matcher(output);
		if (!requests.find() || !finished.find()) {
			throw new IllegalStateException("unexpected h2load output for " + command + "\n" + output);
		}
		if (!requests.group(1).equals(requests.group(2)) || !"0".equals(requests.group(3))
				|| !"0".equals(requests.group(4))) {
			throw new IllegalStateException("requests failed: " + requests.group() + " for " + command);
		}
		return Double.parseDouble(finished.group(1));
	}

	private static void report(Map<String, Map<String, List<Double>>> results, int rounds, int warmup,
			String loadBefore) {
		Map<String, List<Double>> ours = results.get("secure-streams");
		Map<String, List<Double>> reactor = results.get("reactor-netty");
		System.out.printf("Median of %d interleaved rounds after %d unrecorded; %s%n%n", rounds, warmup,
				Harness.machine(loadBefore, Harness.loadAverage()));
		System.out.println("| measure | secure-streams | reactor-netty | secure-streams / reactor-netty |");
		System.out.println("|---|---|---|---|");
		for (String metric : ours.keySet()) {
			double mine = Harness.median(ours.get(metric));
			double theirs = Harness.median(reactor.get(metric));
			// For CPU, fewer µs is better: the ratio is inverted so that above 1 favours ours.
			double ratio = metric.contains("CPU") ? theirs / mine : mine / theirs;
			System.out.printf("| %s | %.1f | %.1f | %.2f |%n", metric, mine, theirs, ratio);
		}
	}

}
