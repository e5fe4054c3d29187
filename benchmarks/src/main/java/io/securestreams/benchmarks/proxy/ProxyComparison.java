package io.securestreams.benchmarks.proxy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.benchmarks.support.Harness;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.proxy.ProxyAddress;
import io.securestreams.proxy.SecureStreamsProxy;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * Compares one http/1.1 client in direct mode with the same client code in proxied mode
 * ({@code SecureStreams.proxiedBuilder}) through a {@link SecureStreamsProxy} listening on a Unix
 * socket, both fetching from a plain-http Reactor Netty server on loopback that serves
 * {@code /1k} and {@code /1m} from memory. Plain http keeps the server and TLS out of the
 * picture, so the proxy's share of the cost is as large as it gets. The streamtype sets
 * {@code proxy_buflen} 256 KiB with rx flow control above 192 KiB and below 64 KiB (without
 * these marks a bulk download that outruns the client is dropped, as in libwebsockets). Direct and proxied runs are
 * interleaved round by round; the report is the median of the rounds, as a Markdown table.
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.securestreams.benchmarks.proxy.ProxyComparison \
 *     [--rounds 5] [--warmup 3] [--threads 2] [--scale 1]
 * </pre>
 * {@code --threads} is the event-loop count of the direct client, of the proxy's context and of
 * the proxied client; {@code --warmup} rounds run in full before the recorded ones, unrecorded.
 */
public final class ProxyComparison {

	static final String BULK = "1 MiB GETs, one at a time (MB/s)";

	static final String SMALL = "1 KiB GETs, one at a time (transactions/s)";

	static final String CONCURRENT = "1 KiB GETs, 16 streams (transactions/s)";

	static final String CPU_BULK = "CPU per MB, 1 MiB GETs (ms)";

	static final String CPU_SMALL = "CPU per transaction, 1 KiB GETs one at a time (µs)";

	static final String CPU_CONCURRENT = "CPU per transaction, 1 KiB GETs on 16 streams (µs)";

	/** Connections the http server accepted, in all runs. */
	private static final AtomicLong SERVER_CONNECTIONS = new AtomicLong();

	/** DISCONNECTED states the clients saw between transactions, in all runs. */
	private static final AtomicLong DISCONNECTS = new AtomicLong();

	private ProxyComparison() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = Harness.options(args, "rounds", "scale", "threads", "warmup");
		int rounds = Integer.parseInt(options.getOrDefault("rounds", "5"));
		// The JIT keeps improving both modes for several rounds: unrecorded rounds come first.
		int warmup = Integer.parseInt(options.getOrDefault("warmup", "3"));
		int threads = Integer.parseInt(options.getOrDefault("threads", "2"));
		double scale = Double.parseDouble(options.getOrDefault("scale", "1"));
		int bulk = Math.max(1, (int) (300 * scale));
		int small = Math.max(1, (int) (5000 * scale));
		int concurrent = Math.max(16, (int) (10000 * scale));
		String loadBefore = Harness.loadAverage();
		byte[] oneK = new byte[1024];
		byte[] oneM = new byte[1024 * 1024];
		Arrays.fill(oneK, (byte) 'k');
		Arrays.fill(oneM, (byte) 'm');
		LoopResources serverLoops = LoopResources.create("bench-http-server", 1, threads, true);
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.runOn(serverLoops)
			// Once per accepted socket: doOnConnection would count every request of a kept-alive one.
			.doOnChannelInit((observer, channel, remote) -> SERVER_CONNECTIONS.incrementAndGet())
			.route((routes) -> routes
				.get("/1k", (req, res) -> res.header("content-length", "1024").sendByteArray(Mono.just(oneK)))
				.get("/1m", (req, res) -> res.header("content-length", String.valueOf(oneM.length))
					.sendByteArray(Mono.just(oneM))))
			.bindNow();
		Path socket = Files.createTempDirectory("bench-proxy").resolve("proxy.sock");
		Policy policy = policy(server.port());
		SecureStreams direct = SecureStreams.builder(policy).eventLoopThreads(threads).build();
		SecureStreamsProxy proxy = SecureStreamsProxy
			.builder(SecureStreams.builder(policy).eventLoopThreads(threads).build())
			.ownContext()
			.listen(ProxyAddress.parse("+" + socket))
			.start();
		SecureStreams proxied = SecureStreams.proxiedBuilder("+" + socket).eventLoopThreads(threads).build();
		Map<String, SecureStreams> clients = new LinkedHashMap<>();
		clients.put("direct", direct);
		clients.put("proxied (Unix socket)", proxied);
		Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
		try {
			for (int round = 1; round <= warmup; round++) {
				for (SecureStreams client : clients.values()) {
					get(client, "/1m", bulk, 1);
					get(client, "/1k", small, 1);
					get(client, "/1k", concurrent, 16);
				}
				System.err.printf("warm-up round %d done%n", round);
			}
			for (int round = 1; round <= rounds; round++) {
				for (Map.Entry<String, SecureStreams> client : clients.entrySet()) {
					Map<String, List<Double>> mine = results.computeIfAbsent(client.getKey(),
							(n) -> new LinkedHashMap<>());
					long cpu0 = Harness.processCpuNanos();
					long disconnects = DISCONNECTS.get();
					long connections = SERVER_CONNECTIONS.get();
					long t0 = System.nanoTime();
					long bytes = get(client.getValue(), "/1m", bulk, 1);
					long t1 = System.nanoTime();
					long cpu1 = Harness.processCpuNanos();
					get(client.getValue(), "/1k", small, 1);
					long t2 = System.nanoTime();
					long cpu2 = Harness.processCpuNanos();
					get(client.getValue(), "/1k", concurrent, 16);
					long t3 = System.nanoTime();
					long cpu3 = Harness.processCpuNanos();
					Harness.add(mine, BULK, bytes / 1e6 / Harness.seconds(t1 - t0));
					Harness.add(mine, "server connections opened (per round)", SERVER_CONNECTIONS.get() - connections);
					Harness.add(mine, "DISCONNECTED states seen by the client (per round)",
							DISCONNECTS.get() - disconnects);
					Harness.add(mine, SMALL, small / Harness.seconds(t2 - t1));
					Harness.add(mine, CONCURRENT, concurrent / Harness.seconds(t3 - t2));
					Harness.add(mine, CPU_BULK, (cpu1 - cpu0) / 1e6 / (bytes / 1e6));
					Harness.add(mine, CPU_SMALL,
							(cpu2 - cpu1) / 1e3 / small);
					Harness.add(mine, CPU_CONCURRENT,
							(cpu3 - cpu2) / 1e3 / concurrent);
					System.err.printf("round %d %s done%n", round, client.getKey());
				}
			}
		}
		finally {
			proxied.close();
			proxy.close();
			direct.close();
			server.disposeNow(Duration.ofSeconds(10));
			serverLoops.disposeLater().block(Duration.ofSeconds(10));
			Files.deleteIfExists(socket);
			Files.deleteIfExists(socket.getParent());
		}
		print(results, rounds, warmup, threads, loadBefore, Harness.loadAverage());
	}

	private static Policy policy(int port) {
		PolicyFragment fragment = new PolicyFragment().release("bench");
		fragment.streamType("get")
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, port)
			.set(StreamTypeKey.HTTP_METHOD, "GET")
			.set(StreamTypeKey.HTTP_URL, "${path}")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("path", "")))
			.set(StreamTypeKey.OPPORTUNISTIC, true)
			// Without rx flow marks the proxy drops onward data that outruns the client and
			// disconnects (as in C); a bulk download needs them.
			.set(StreamTypeKey.PROXY_BUFLEN, 256L * 1024)
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_ON_ABOVE, 192L * 1024)
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_OFF_BELOW, 64L * 1024);
		return fragment.build();
	}

	/**
	 * Runs GETs over kept-alive connections: {@code concurrency} streams, each doing its share of
	 * the transactions back to back (the next {@code requestTx} at QOS_ACK_REMOTE).
	 * @return body bytes received
	 */
	private static long get(SecureStreams streams, String path, int transactions, int concurrency) throws Exception {
		AtomicLong bytes = new AtomicLong();
		AtomicInteger remaining = new AtomicInteger(transactions);
		AtomicInteger finished = new AtomicInteger();
		CompletableFuture<Void> done = new CompletableFuture<>();
		List<SecureStream> created = new ArrayList<>();
		for (int i = 0; i < concurrency; i++) {
			SecureStream stream = streams.create("get", new StreamHandler() {
				// Between a transaction's CONNECTED and its ack: a DISCONNECTED then means the
				// transaction was lost (for example the proxy dropped it), which must fail the run
				// rather than leave it waiting.
				private boolean inTransaction;

				@Override
				public StreamResult onRx(SecureStream s, ByteBuffer payload, int flags) {
					bytes.addAndGet(payload.remaining());
					return StreamResult.OK;
				}

				@Override
				public StreamResult onState(SecureStream s, StreamState state, long ack) {
					if (state == StreamState.CONNECTED) {
						this.inTransaction = true;
					}
					else if (state == StreamState.DISCONNECTED && this.inTransaction) {
						done.completeExceptionally(new IllegalStateException("disconnected during a transaction"));
					}
					else if (state == StreamState.DISCONNECTED && !done.isDone()) {
						// A proxied client sees DISCONNECTED after every http transaction, as from the C proxy.
						DISCONNECTS.incrementAndGet();
					}
					else if (state == StreamState.QOS_ACK_REMOTE) {
						this.inTransaction = false;
						if (remaining.getAndDecrement() > 0) {
							s.requestTx();
						}
						else if (finished.incrementAndGet() == concurrency) {
							done.complete(null);
						}
					}
					else if (state == StreamState.QOS_NACK_REMOTE || state == StreamState.ALL_RETRIES_FAILED
							|| state == StreamState.UNREACHABLE) {
						done.completeExceptionally(new IllegalStateException("transaction failed: " + state));
					}
					return StreamResult.OK;
				}
			});
			created.add(stream);
			stream.setMetadata("path", path);
			remaining.decrementAndGet();
			stream.requestTx();
		}
		try {
			done.get(10, TimeUnit.MINUTES);
		}
		finally {
			created.forEach(SecureStream::destroy);
		}
		return bytes.get();
	}

	private static void print(Map<String, Map<String, List<Double>>> results, int rounds, int warmup, int threads,
			String loadBefore, String loadAfter) {
		List<String> names = new ArrayList<>(results.keySet());
		System.out.printf("Median of %d interleaved rounds after %d unrecorded ones; plain http/1.1 from a "
				+ "Reactor Netty server on loopback; %d event-loop threads in the direct client, the proxy and the "
				+ "proxied client; %s.%n%n", rounds, warmup, threads, Harness.machine(loadBefore, loadAfter));
		System.out.println("| measure | " + String.join(" | ", names) + " | proxied / direct |");
		System.out.println("|---|---|---|---|");
		for (String metric : results.get(names.get(0)).keySet()) {
			double direct = Harness.median(results.get(names.get(0)).get(metric));
			double proxied = Harness.median(results.get(names.get(1)).get(metric));
			String format = metric.startsWith("CPU") ? "| %s | %.1f | %.1f | %.2f |%n"
					: "| %s | %.0f | %.0f | %.2f |%n";
			// Counts are context, not a cost: a ratio of them means nothing (and direct sees no DISCONNECTED).
			if (metric.contains("(per round)")) {
				System.out.printf("| %s | %.0f | %.0f | |%n", metric, direct, proxied);
			}
			else {
				System.out.printf(format, metric, direct, proxied, proxied / direct);
			}
		}
		System.out.println(
				"\nCPU is the harness JVM's CPU time (server, proxy and clients, GC included) during the run.");
		System.out.println("\nAll rounds: " + results);
	}

}
