package io.securestreams.protocol.mqtt;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.handler.ssl.SslContext;
import io.securestreams.metadata.MetadataValues;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.ClientProtocol;
import io.securestreams.protocol.ProtocolConnection;
import io.securestreams.protocol.StreamLink;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.Connector;
import org.jspecify.annotations.Nullable;

/**
 * The MQTT 3.1.1 binding for client streams ({@code "protocol": "mqtt"}). Streams whose
 * attempts resolve to the same broker, TLS trust, client certificate and credentials share one
 * session and one network connection; the binding keeps one registry of sessions per context.
 * See {@code docs/mqtt.md} for the policy keys and the delivery guarantees.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class MqttClientProtocol implements ClientProtocol {

	/**
	 * The ALPN protocol offered on TLS connections of {@code aws_iot} streamtypes: AWS IoT Core
	 * speaks MQTT on port 443 only to clients that offer it.
	 */
	static final String AWS_IOT_ALPN = "x-amzn-mqtt-ca";

	/** The longest client id from the system blobs, in UTF-8 bytes, as libwebsockets allows. */
	static final int MAX_CLIENT_ID_LENGTH = 128;

	// Equal for every MQTT streamtype, and the same loop from one run to the next.
	private static final String LOOP_AFFINITY = "mqtt";

	private static final char[] ID_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		.toCharArray();

	private final Map<MqttConnectionKey, MqttSession> sessions = new ConcurrentHashMap<>();

	private final Map<MqttConnectionKey, String> generatedIds = new ConcurrentHashMap<>();

	private final SecureRandom random = new SecureRandom();

	private volatile Duration shadowTimeout = MqttShadow.RESPONSE_TIMEOUT;

	private volatile Duration unsubscribeTimeout = MqttMember.UNSUBACK_TIMEOUT;

	private volatile Duration subscribeTimeout = MqttMember.SUBACK_TIMEOUT;

	private volatile Duration birthTimeout = MqttNetworkConnection.BIRTH_TIMEOUT;

	@Override
	public ProtocolConnection connect(ConnectTarget target, @Nullable SslContext tls, Connector connector,
			StreamLink link) {
		StreamTypePolicy policy = link.policy();
		MqttConnectionKey key = MqttConnectionKey.of(link.eventLoop(), target, policy, link.blobs());
		if (key.password() != null && key.username() == null) {
			throw new IllegalArgumentException(
					"the system blobs hold an MQTT_PASSWORD but no MQTT_USERNAME; MQTT 3.1.1 needs a user name "
							+ "with a password");
		}
		int clientIdLength = utf8Length(key.clientId());
		if (clientIdLength > MAX_CLIENT_ID_LENGTH) {
			// As libwebsockets (LWS_MQTT_MAX_CIDLEN), which fails the connection, rather than send
			// an id that brokers keeping to 23 characters or so refuse at every attempt anyway.
			throw new IllegalArgumentException("the system blob MQTT_CLIENT_ID is " + clientIdLength
					+ " bytes; a client id is at most " + MAX_CLIENT_ID_LENGTH + " bytes");
		}
		checkClientIdFree(key);
		checkConnectField("the system blob MQTT_USERNAME", utf8Length(key.username()));
		byte[] password = key.passwordBytes();
		checkConnectField("the system blob MQTT_PASSWORD", (password != null) ? password.length : 0);
		MqttConnectOptions options = MqttConnectOptions.of(policy, link.metadata());
		String filter = subscription(policy, link.metadata());
		MqttSession session = this.sessions.computeIfAbsent(key, (k) -> new MqttSession(this, k, clientId(k)));
		MqttMember member = new MqttMember(session, link, filter);
		session.attach(member, options, target, tls, connector, policy.attributes(), link.retryPolicy());
		return member;
	}

	/**
	 * Refuses a CONNECT field longer than its two-byte length can say: Netty's encoder would write
	 * the length cut to 16 bits ahead of every byte, a packet the broker reads as something else.
	 * @param what the field, for the message
	 * @param length its encoded length in bytes
	 * @throws IllegalArgumentException if it is longer than {@link MqttTopics#MAX_LENGTH}
	 */
	static void checkConnectField(String what, int length) {
		if (length > MqttTopics.MAX_LENGTH) {
			throw new IllegalArgumentException(what + " is " + length + " bytes; an MQTT CONNECT carries at most "
					+ MqttTopics.MAX_LENGTH);
		}
	}

	/**
	 * Refuses a second connection to one broker with the client id of the system blobs: streams
	 * that differ in how they reach the broker (trust store, client certificate, aws_iot,
	 * credentials) cannot share a connection, and brokers answer two connections with one client
	 * id by dropping the older, so the two would knock each other off for ever. The connection
	 * there first keeps working; this attempt fails with the reason, and is tried again by backoff
	 * (it succeeds once the other connection's streams are gone).
	 */
	private void checkClientIdFree(MqttConnectionKey key) {
		if (key.clientId() == null) {
			return;
		}
		for (MqttConnectionKey other : this.sessions.keySet()) {
			boolean sameBroker = key.address().equals(other.address());
			if (sameBroker && !other.equals(key) && key.clientId().equals(other.clientId())) {
				throw new IllegalArgumentException("MQTT client id '" + key.clientId() + "' is in use by another "
						+ "connection of this context to " + other + "; streamtypes that reach one broker with the "
						+ "client id of the system blobs must share its connection, with the same tls, "
						+ "tls_trust_store, client_cert and aws_iot settings and the same credentials");
			}
		}
	}

	private static int utf8Length(@Nullable String text) {
		return (text != null) ? text.getBytes(StandardCharsets.UTF_8).length : 0;
	}

	private static @Nullable String subscription(StreamTypePolicy policy, MetadataValues metadata) {
		String filter = metadata.expand(policy.mqtt().subscribe());
		if (filter == null || filter.isEmpty()) {
			return null;
		}
		try {
			MqttTopics.checkStreamFilter(filter, policy.mqtt().awsIot());
		}
		catch (IllegalArgumentException ex) {
			// The filter came from metadata: say which template to fix, as for the will and birth.
			throw new IllegalArgumentException("mqtt_subscribe \"" + policy.mqtt().subscribe() + "\": "
					+ ex.getMessage(), ex);
		}
		return filter;
	}

	private String clientId(MqttConnectionKey key) {
		if (key.clientId() != null) {
			return key.clientId();
		}
		return this.generatedIds.computeIfAbsent(key, (k) -> {
			StringBuilder id = new StringBuilder("ss");
			for (int i = 0; i < 20; i++) {
				id.append(ID_CHARS[this.random.nextInt(ID_CHARS.length)]);
			}
			return id.toString();
		});
	}

	Duration shadowTimeout() {
		return this.shadowTimeout;
	}

	/** Shortens the wait for device-shadow responses, so tests need not wait a minute. */
	void shadowTimeout(Duration timeout) {
		this.shadowTimeout = timeout;
	}

	Duration unsubscribeTimeout() {
		return this.unsubscribeTimeout;
	}

	Duration subscribeTimeout() {
		return this.subscribeTimeout;
	}

	/** Shortens the wait for a SUBACK, so tests need not wait for the real timeout. */
	void subscribeTimeout(Duration timeout) {
		this.subscribeTimeout = timeout;
	}

	Duration birthTimeout() {
		return this.birthTimeout;
	}

	/** Shortens the wait for a birth message's acknowledgement, so tests need not wait for the real timeout. */
	void birthTimeout(Duration timeout) {
		this.birthTimeout = timeout;
	}

	/** Shortens the wait for an UNSUBACK, so tests need not wait for the real timeout. */
	void unsubscribeTimeout(Duration timeout) {
		this.unsubscribeTimeout = timeout;
	}

	void removeIfIdle(MqttSession session) {
		if (session.isIdle()) {
			this.sessions.remove(session.key(), session);
		}
	}

	/**
	 * {@inheritDoc} The AWS IoT protocol with {@code aws_iot}; other brokers get no ALPN, so a
	 * broker that refuses unknown protocols is not disturbed.
	 */
	@Override
	public List<String> alpn(StreamTypePolicy policy) {
		return policy.mqtt().awsIot() ? List.of(AWS_IOT_ALPN) : List.of();
	}

	/**
	 * {@inheritDoc} One loop for every MQTT stream of the context: a connection is shared by the
	 * streams whose endpoints expand to the same broker and client id, which no key computed from
	 * the policy as written can tell in advance (two spellings of one host, an overlay that moves a
	 * live stream's streamtype), and two connections with one client id make brokers drop one of
	 * them. Device-side MQTT traffic is light; libwebsockets serves it from one thread too.
	 */
	@Override
	public Object loopAffinity(StreamTypePolicy policy) {
		return LOOP_AFFINITY;
	}

	@Override
	public void validate(Policy policy, StreamTypePolicy streamType) {
		MqttPolicyCheck.check(policy, streamType);
	}

	@Override
	public List<PolicyProblem> checkChange(Policy before, Policy after) {
		return MqttPolicyCheck.conflictsIntroduced(before, after);
	}

	@Override
	public void streamDestroyed(long streamId) {
		for (MqttSession session : this.sessions.values()) {
			if (session.loop().inEventLoop()) {
				session.streamDestroyed(streamId);
			}
		}
	}

}
