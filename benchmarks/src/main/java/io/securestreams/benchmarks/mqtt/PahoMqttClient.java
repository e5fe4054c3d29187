package io.securestreams.benchmarks.mqtt;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Eclipse Paho's {@code MqttAsyncClient} with in-memory persistence (its default, a file store,
 * would write every QoS 1 message to disk) and {@code maxInflight} above the harness window.
 * Completions arrive on Paho's callback thread; a semaphore keeps at most {@code window}
 * publishes outstanding, since Paho refuses publishes beyond {@code maxInflight}.
 */
final class PahoMqttClient implements MqttClientUnderTest {

	private final MqttAsyncClient client;

	private final byte[] payload;

	private volatile RoundTripRun rtt;

	PahoMqttClient(int port, byte[] payload, int window) throws Exception {
		this.payload = payload;
		this.client = new MqttAsyncClient("tcp://127.0.0.1:" + port, "bench-paho", new MemoryPersistence());
		MqttConnectOptions options = new MqttConnectOptions();
		options.setCleanSession(true);
		options.setAutomaticReconnect(false);
		options.setMaxInflight(window + 16);
		this.client.connect(options).waitForCompletion(30_000);
		this.client.subscribe("bench/paho/rtt", 1, (topic, message) -> {
			long now = System.nanoTime();
			RoundTripRun run = this.rtt;
			if (run != null) {
				run.received(now, message.getPayload().length);
			}
		}).waitForCompletion(30_000);
	}

	@Override
	public String name() {
		return "paho";
	}

	@Override
	public long publishQos0(int count, int window) throws Exception {
		long start = System.nanoTime();
		publish("bench/paho/q0", 0, count, window);
		this.client.publish("bench/paho/q1", this.payload, 1, false).waitForCompletion(60_000);
		return System.nanoTime() - start;
	}

	@Override
	public long publishQos1(int count, int window) throws Exception {
		long start = System.nanoTime();
		publish("bench/paho/q1", 1, count, window);
		return System.nanoTime() - start;
	}

	/** Publishes with at most {@code window} outstanding and waits for the last completion. */
	private void publish(String topic, int qos, int count, int window) throws Exception {
		Semaphore permits = new Semaphore(window);
		AtomicInteger completed = new AtomicInteger();
		CompletableFuture<Void> done = new CompletableFuture<>();
		IMqttActionListener listener = new IMqttActionListener() {
			@Override
			public void onSuccess(IMqttToken token) {
				permits.release();
				if (completed.incrementAndGet() == count) {
					done.complete(null);
				}
			}

			@Override
			public void onFailure(IMqttToken token, Throwable failure) {
				done.completeExceptionally(failure);
				permits.release();
			}
		};
		for (int i = 0; i < count && !done.isDone(); i++) {
			permits.acquire();
			this.client.publish(topic, this.payload, qos, false, null, listener);
		}
		done.get(10, TimeUnit.MINUTES);
	}

	@Override
	public long[] roundTrips(int count) throws Exception {
		RoundTripRun run = new RoundTripRun(count, (n) -> {
			try {
				this.client.publish("bench/paho/rtt", this.payload, 1, false);
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}, this.payload.length);
		this.rtt = run;
		return run.run();
	}

	@Override
	public void close() throws Exception {
		this.client.disconnect().waitForCompletion(10_000);
		this.client.close();
	}

}
