package io.securestreams.protocol.mqtt;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * An independent MQTT client (Eclipse Paho) that records what it receives.
 */
final class PahoClient implements AutoCloseable {

	/** A received message. */
	record Received(String topic, String payload, int qos, boolean retained, boolean duplicate) {
	}

	private final MqttClient client;

	private final List<Received> received = new CopyOnWriteArrayList<>();

	private final Map<String, Integer> subscriptions = new ConcurrentHashMap<>();

	private final AtomicInteger resubscribed = new AtomicInteger();

	private final AtomicInteger lastProbes = new AtomicInteger();

	private PahoClient(MqttClient client) {
		this.client = client;
	}

	static PahoClient connect(int port, String clientId, boolean cleanSession) throws MqttException {
		MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
		PahoClient paho = new PahoClient(client);
		client.setCallback(paho.new Callback());
		MqttConnectOptions options = new MqttConnectOptions();
		options.setCleanSession(cleanSession);
		options.setAutomaticReconnect(true);
		options.setMaxReconnectDelay(500);
		options.setMaxInflight(1000);
		options.setConnectionTimeout(10);
		client.connect(options);
		return paho;
	}

	/**
	 * Subscribes, and waits for the SUBACK. Moquette 0.17 may close a connection whose SUBSCRIBE
	 * follows the CONNACK very closely ("SUBSCRIBE received on already closed connection"), more
	 * often on a loaded machine; the subscription is then made by the automatic reconnect.
	 */
	PahoClient subscribe(String filter, int qos) throws MqttException {
		this.subscriptions.put(filter, qos);
		int renewed = this.resubscribed.get();
		try {
			this.client.subscribe(filter, qos);
		}
		catch (MqttException ex) {
			if (ex.getReasonCode() != MqttException.REASON_CODE_CONNECTION_LOST
					&& ex.getReasonCode() != MqttException.REASON_CODE_CLIENT_NOT_CONNECTED) {
				throw ex;
			}
			Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> this.resubscribed.get() > renewed);
		}
		return this;
	}

	/** Returns how many times the subscriptions were renewed after an automatic reconnect. */
	int resubscriptions() {
		return this.resubscribed.get();
	}

	void publish(String topic, String payload, int qos, boolean retained) throws MqttException {
		this.client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retained);
	}

	/**
	 * Publishes probes to {@code topic} until the stream has received one: its subscription works.
	 * (Moquette 0.17 may close a connection whose SUBSCRIBE follows the CONNACK very closely; the
	 * stream then reconnects and subscribes again.)
	 */
	void awaitDelivered(String topic, MqttRecorder stream, Duration timeout) {
		int before = stream.probes();
		Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
			this.client.publish(topic, MqttRecorder.PROBE.getBytes(StandardCharsets.UTF_8), 0, false);
			return stream.probes() > before;
		});
	}

	/**
	 * Like {@link #awaitDelivered}, and then waits until none of its probes is still on its way:
	 * the probes published while waiting can arrive after the first one did. For a topic on which
	 * a later step must get nothing else, such as a shadow response topic, where any message is
	 * taken for the answer. A last probe is published and waited for; the broker delivers one
	 * client's messages to a topic with one QoS in order (MQTT 3.1.1 section 4.6), so the earlier
	 * probes have all arrived (or were never delivered) by then.
	 */
	void awaitDeliveredAndDrained(String topic, MqttRecorder stream, Duration timeout) throws MqttException {
		awaitDelivered(topic, stream, timeout);
		String last = MqttRecorder.PROBE + " last " + this.lastProbes.incrementAndGet();
		this.client.publish(topic, last.getBytes(StandardCharsets.UTF_8), 0, false);
		Awaitility.await().atMost(timeout).until(() -> last.equals(stream.lastProbe()));
	}

	List<Received> received() {
		return List.copyOf(this.received);
	}

	List<String> payloads(String topic) {
		return this.received.stream().filter((r) -> r.topic().equals(topic)).map(Received::payload).toList();
	}

	void awaitPayloads(String topic, int count, Duration timeout) {
		Awaitility.await().atMost(timeout).until(() -> payloads(topic).size() >= count);
	}

	boolean isConnected() {
		return this.client.isConnected();
	}

	@Override
	public void close() throws MqttException {
		if (this.client.isConnected()) {
			this.client.disconnect(1000);
		}
		this.client.close(true);
	}

	private final class Callback implements MqttCallbackExtended {

		@Override
		public void connectComplete(boolean reconnect, String serverUri) {
			if (reconnect && !PahoClient.this.subscriptions.isEmpty()) {
				// A broker that lost the session lost the subscriptions too. Subscribing blocks until
				// the SUBACK, which Paho's callback thread must not wait for.
				Thread renew = new Thread(this::resubscribe, "paho-resubscribe");
				renew.setDaemon(true);
				renew.start();
			}
		}

		private void resubscribe() {
			try {
				for (Map.Entry<String, Integer> subscription : PahoClient.this.subscriptions.entrySet()) {
					PahoClient.this.client.subscribe(subscription.getKey(), subscription.getValue());
				}
				PahoClient.this.resubscribed.incrementAndGet();
			}
			catch (MqttException ex) {
				// The connection went again; the next reconnect renews the subscriptions.
			}
		}

		@Override
		public void connectionLost(Throwable cause) {
		}

		@Override
		public void messageArrived(String topic, MqttMessage message) {
			PahoClient.this.received.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8),
					message.getQos(), message.isRetained(), message.isDuplicate()));
		}

		@Override
		public void deliveryComplete(IMqttDeliveryToken token) {
		}

	}

}
