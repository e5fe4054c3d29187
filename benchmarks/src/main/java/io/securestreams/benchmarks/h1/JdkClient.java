package io.securestreams.benchmarks.h1;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.securestreams.policy.Protocol;

/**
 * The JDK's java.net.http client, forced to http/1.1 or, for h2, HTTP/2 (one multiplexed
 * connection); a response over another version fails the run, since the client would fall back
 * silently. A new connection per transaction (http/1.1 only) uses {@code Connection: close}
 * (allowed by the harness with {@code jdk.httpclient.allowRestrictedHeaders=connection}).
 */
final class JdkClient implements HttpClientUnderTest {

	private final String base;

	private final ExecutorService executor;

	private final HttpClient client;

	private final HttpClient.Version version;

	JdkClient(String host, int port, Path caPem, int threads, Protocol protocol) throws Exception {
		this.base = "https://" + host + ":" + port;
		KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
		trust.load(null, null);
		try (InputStream in = Files.newInputStream(caPem)) {
			trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
		}
		TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		factory.init(trust);
		SSLContext ssl = SSLContext.getInstance("TLS");
		ssl.init(null, factory.getTrustManagers(), null);
		this.executor = Executors.newFixedThreadPool(threads);
		this.version = (protocol == Protocol.H2) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1;
		this.client = HttpClient.newBuilder().version(this.version).sslContext(ssl)
			.executor(this.executor).connectTimeout(Duration.ofSeconds(10)).build();
	}

	@Override
	public String name() {
		return "jdk-httpclient";
	}

	@Override
	public long get(String path, int transactions, int concurrency) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create(this.base + path)).GET().build();
		Semaphore inFlight = new Semaphore(concurrency);
		AtomicLong bytes = new AtomicLong();
		List<CompletableFuture<?>> all = new ArrayList<>(transactions);
		for (int i = 0; i < transactions; i++) {
			inFlight.acquire();
			all.add(this.client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
				.whenComplete((response, ex) -> {
					inFlight.release();
					if (response != null) {
						bytes.addAndGet(response.body().length);
						if (response.version() != this.version) {
							throw new IllegalStateException("the server answered over " + response.version());
						}
					}
				}));
		}
		CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).join();
		return bytes.get();
	}

	@Override
	public void getOnNewConnections(String path, int transactions) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create(this.base + path)).header("Connection", "close")
			.GET().build();
		for (int i = 0; i < transactions; i++) {
			this.client.send(request, HttpResponse.BodyHandlers.ofByteArray());
		}
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

}
