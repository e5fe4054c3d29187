package io.securestreams.benchmarks.mqtt;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;

/**
 * The HiveMQ MQTT client (MQTT 3.1.1, async API) with its default executors: its own Netty event
 * loops, callbacks and future completions on its application scheduler. Each run publishes one
 * prebuilt immutable {@code Mqtt3Publish} repeatedly; a semaphore keeps at most {@code window}
 * publishes whose futures have not completed.
 */
final class HiveMqMqttClient implements MqttClientUnderTest {

	private final Mqtt3AsyncClient client;

	private final Mqtt3Publish qos0;

	private final Mqtt3Publish qos1;

	private final Mqtt3Publish rttMessage;

	private volatile RoundTripRun rtt;

	HiveMqMqttClient(int port, byte[] payload) throws Exception {
		this.client = MqttClient.builder()
			.useMqttVersion3()
			.identifier("bench-hivemq")
			.serverHost("127.0.0.1")
			.serverPort(port)
			.buildAsync();
		this.client.connectWith().cleanSession(true).send().get(30, TimeUnit.SECONDS);
		this.qos0 = Mqtt3Publish.builder().topic("bench/hivemq/q0").qos(MqttQos.AT_MOST_ONCE).payload(payload).build();
		this.qos1 = Mqtt3Publish.builder().topic("bench/hivemq/q1").qos(MqttQos.AT_LEAST_ONCE).payload(payload).build();
		this.rttMessage = Mqtt3Publish.builder()
			.topic("bench/hivemq/rtt")
			.qos(MqttQos.AT_LEAST_ONCE)
			.payload(payload)
			.build();
		this.client.subscribeWith().topicFilter("bench/hivemq/rtt").qos(MqttQos.AT_LEAST_ONCE).callback((publish) -> {
			long now = System.nanoTime();
			RoundTripRun run = this.rtt;
			if (run != null) {
				run.received(now, publish.getPayloadAsBytes().length);
			}
		}).send().get(30, TimeUnit.SECONDS);
	}

	@Override
	public String name() {
		return "hivemq";
	}

	@Override
	public long publishQos0(int count, int window) throws Exception {
		long start = System.nanoTime();
		publish(this.qos0, count, window);
		this.client.publish(this.qos1).get(60, TimeUnit.SECONDS);
		return System.nanoTime() - start;
	}

	@Override
	public long publishQos1(int count, int window) throws Exception {
		long start = System.nanoTime();
		publish(this.qos1, count, window);
		return System.nanoTime() - start;
	}

	private void publish(Mqtt3Publish message, int count, int window) throws Exception {
		Semaphore permits = new Semaphore(window);
		AtomicInteger completed = new AtomicInteger();
		CompletableFuture<Void> done = new CompletableFuture<>();
		for (int i = 0; i < count && !done.isDone(); i++) {
			permits.acquire();
			this.client.publish(message).whenComplete((result, failure) -> {
				permits.release();
				if (failure != null) {
					done.completeExceptionally(failure);
				}
				else if (completed.incrementAndGet() == count) {
					done.complete(null);
				}
			});
		}
		done.get(10, TimeUnit.MINUTES);
	}

	@Override
	public long[] roundTrips(int count) throws Exception {
		RoundTripRun run = new RoundTripRun(count, (n) -> this.client.publish(this.rttMessage), this.rttMessage
			.getPayloadAsBytes().length);
		this.rtt = run;
		return run.run();
	}

	@Override
	public void close() throws Exception {
		this.client.disconnect().get(10, TimeUnit.SECONDS);
	}

}
