package io.securestreams.sample;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamRole;
import io.securestreams.boot.config.SecureStreamHandlerContainer;
import io.securestreams.boot.config.SecureStreamHandlerEndpointRegistry;
import io.securestreams.connectivity.CaptivePortalDetector;
import io.securestreams.policy.StreamTypePolicy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Drives the client streams: once the handler streams exist, points the clients at the port the
 * sample server actually listens on (with a policy overlay, when {@code sample.port} is 0), runs a
 * captive portal detection against it once, then asks each client stream for a transaction every
 * {@code sample.interval}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@Component
class SampleDriver implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(SampleDriver.class);

	private static final List<String> CLIENTS = List.of(HelloGetClient.ID, HelloWsClient.ID);

	private final SecureStreams streams;

	private final SecureStreamHandlerEndpointRegistry registry;

	private final Duration interval;

	private final CaptivePortalDetector detector;

	private @Nullable ScheduledExecutorService scheduler;

	SampleDriver(SecureStreams streams, SecureStreamHandlerEndpointRegistry registry, CaptivePortalDetector detector,
			@Value("${sample.interval:3s}") Duration interval) {
		this.streams = streams;
		this.registry = registry;
		this.detector = detector;
		this.interval = interval;
	}

	@Override
	public synchronized void start() {
		pointClientsAtTheServer();
		// The sample server answers the connectivity check itself, so this ends INTERNET_OK;
		// the health endpoint shows the result as its "connectivity" detail.
		this.detector.detectAsync()
			.thenAccept((found) -> logger.info("Captive portal detection against the sample server: {}", found));
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "sample-driver");
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleWithFixedDelay(this::tick, 0, this.interval.toMillis(), TimeUnit.MILLISECONDS);
		this.scheduler = executor;
	}

	private void pointClientsAtTheServer() {
		SecureStreamHandlerContainer server = this.registry.getHandlerContainer(HelloServer.ID);
		if (server == null) {
			return;
		}
		for (SecureStream stream : server.getStreams()) {
			if (stream.role() == StreamRole.LISTENER && stream.localAddress() instanceof InetSocketAddress address) {
				StreamTypePolicy client = this.streams.policy().streamType(HelloGetClient.ID);
				if (client != null && client.port() != address.getPort()) {
					String overlay = "{\"s\": [{\"hello-get\": {\"port\": %1$d}}, {\"hello-ws\": {\"port\": %1$d}}, "
							+ "{\"fetch_policy\": {\"port\": %1$d}}, {\"captive_portal_detect\": {\"port\": %1$d}}]}";
					this.streams.applyOverlay("sample server port", overlay.formatted(address.getPort()));
					logger.info("The sample server listens on port {}: pointed the clients at it with an overlay",
							address.getPort());
				}
			}
		}
	}

	private void tick() {
		for (String id : CLIENTS) {
			SecureStreamHandlerContainer container = this.registry.getHandlerContainer(id);
			if (container != null) {
				container.getStreams().forEach(SecureStream::requestTx);
			}
		}
	}

	@Override
	public synchronized void stop() {
		if (this.scheduler != null) {
			this.scheduler.shutdownNow();
			this.scheduler = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.scheduler != null;
	}

	@Override
	public int getPhase() {
		return SecureStreamHandlerEndpointRegistry.PHASE + 1;
	}

}
