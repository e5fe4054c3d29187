package io.securestreams.policy;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Builds the immutable records of a streamtype from the keys of its
 * {@link StreamTypePolicy.Builder}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class StreamTypeRecords {

	// The keys of each settings record (see build).
	private static final StreamTypeKey[] TLS_KEYS = keys(StreamTypeKey.TLS, StreamTypeKey.TLS_TRUST_STORE,
			StreamTypeKey.CLIENT_CERT, StreamTypeKey.SERVER_CERT, StreamTypeKey.SERVER_KEY);

	private static final StreamTypeKey[] HTTP_KEYS = keys(StreamTypeKey.HTTP_METHOD, StreamTypeKey.HTTP_URL,
			StreamTypeKey.HTTP_EXPECT, StreamTypeKey.HTTP_RESP_MAP, StreamTypeKey.HTTP_AUTH_HEADER,
			StreamTypeKey.HTTP_DSN_HEADER, StreamTypeKey.HTTP_FWV_HEADER, StreamTypeKey.HTTP_DEVTYPE_HEADER,
			StreamTypeKey.HTTP_AUTH_PREAMBLE, StreamTypeKey.AUTH_HEXIFY, StreamTypeKey.HTTP_NO_CONTENT_LENGTH,
			StreamTypeKey.NGHTTP2_QUIRK_END_STREAM, StreamTypeKey.H2Q_OFLOW_TXCR, StreamTypeKey.HTTP_MULTIPART_NAME,
			StreamTypeKey.HTTP_MULTIPART_FILENAME, StreamTypeKey.HTTP_MIME_CONTENT_TYPE,
			StreamTypeKey.HTTP_WWW_FORM_URLENCODED, StreamTypeKey.HTTP_COOKIES, StreamTypeKey.HTTP_FAIL_REDIRECT,
			StreamTypeKey.ALLOW_REDIRECTS, StreamTypeKey.HTTP_MULTIPART_SS_IN);

	private static final StreamTypeKey[] WS_KEYS = keys(StreamTypeKey.WS_SUBPROTOCOL, StreamTypeKey.WS_BINARY,
			StreamTypeKey.WS_PRIORITIZE_READS);

	private static final StreamTypeKey[] WILL_KEYS = keys(StreamTypeKey.MQTT_WILL_TOPIC,
			StreamTypeKey.MQTT_WILL_MESSAGE, StreamTypeKey.MQTT_WILL_QOS, StreamTypeKey.MQTT_WILL_RETAIN);

	private static final StreamTypeKey[] BIRTH_KEYS = keys(StreamTypeKey.MQTT_BIRTH_TOPIC,
			StreamTypeKey.MQTT_BIRTH_MESSAGE, StreamTypeKey.MQTT_BIRTH_QOS, StreamTypeKey.MQTT_BIRTH_RETAIN);

	private static final StreamTypeKey[] MQTT_KEYS = keys(StreamTypeKey.MQTT_TOPIC, StreamTypeKey.MQTT_SUBSCRIBE,
			StreamTypeKey.MQTT_QOS, StreamTypeKey.MQTT_RETAIN, StreamTypeKey.MQTT_KEEP_ALIVE,
			StreamTypeKey.MQTT_CLEAN_START, StreamTypeKey.AWS_IOT, StreamTypeKey.MQTT_WILL_TOPIC,
			StreamTypeKey.MQTT_WILL_MESSAGE, StreamTypeKey.MQTT_WILL_QOS, StreamTypeKey.MQTT_WILL_RETAIN,
			StreamTypeKey.MQTT_BIRTH_TOPIC, StreamTypeKey.MQTT_BIRTH_MESSAGE, StreamTypeKey.MQTT_BIRTH_QOS,
			StreamTypeKey.MQTT_BIRTH_RETAIN);

	private static final StreamTypeKey[] ATTRIBUTE_KEYS = keys(StreamTypeKey.ATTR_PRIORITY,
			StreamTypeKey.ATTR_LOW_LATENCY, StreamTypeKey.ATTR_HIGH_THROUGHPUT, StreamTypeKey.ATTR_HIGH_RELIABILITY,
			StreamTypeKey.ATTR_LOW_COST);

	private static final StreamTypeKey[] BUFFER_KEYS = keys(StreamTypeKey.PROXY_BUFLEN,
			StreamTypeKey.PROXY_BUFLEN_RXFLOW_ON_ABOVE, StreamTypeKey.PROXY_BUFLEN_RXFLOW_OFF_BELOW,
			StreamTypeKey.CLIENT_BUFLEN, StreamTypeKey.CLIENT_BUFLEN_RXFLOW_ON_ABOVE,
			StreamTypeKey.CLIENT_BUFLEN_RXFLOW_OFF_BELOW);

	// Every key at its default, built in full: the source of the shared settings records.
	private static final StreamTypePolicy DEFAULTS = build(new StreamTypePolicy.Builder(""), null);

	private StreamTypeRecords() {
	}

	/**
	 * Builds the policy of a builder's keys.
	 * @param keys the builder
	 * @return the immutable policy
	 */
	static StreamTypePolicy build(StreamTypePolicy.Builder keys) {
		return build(keys, DEFAULTS);
	}

	// Settings groups whose keys are all unset share the instances of DEFAULTS (records, so
	// equal either way): most streamtypes use one protocol, and a policy of thousands of
	// streamtypes then allocates and fills about half as many objects.
	@SuppressWarnings("unchecked")
	private static StreamTypePolicy build(StreamTypePolicy.Builder b, @Nullable StreamTypePolicy defaults) {
		MqttSettings mqtt = (defaults != null && !anySet(b, MQTT_KEYS)) ? defaults.mqtt() : mqtt(b, defaults);
		return new StreamTypePolicy(b.name(), (Protocol) get(b, StreamTypeKey.PROTOCOL),
				str(b, StreamTypeKey.ENDPOINT), integer0(b, StreamTypeKey.PORT), bool(b, StreamTypeKey.SERVER),
				str(b, StreamTypeKey.VIA_SOCKS5), str(b, StreamTypeKey.RETRY), lng(b, StreamTypeKey.TIMEOUT_MS),
				bool(b, StreamTypeKey.OPPORTUNISTIC), bool(b, StreamTypeKey.NAILED_UP),
				bool(b, StreamTypeKey.URGENT_TX), bool(b, StreamTypeKey.URGENT_RX), bool(b, StreamTypeKey.PERF),
				bool(b, StreamTypeKey.LONG_POLL),
				bool(b, StreamTypeKey.SWAKE_VALIDITY), bool(b, StreamTypeKey.LOCAL_SINK),
				bool(b, StreamTypeKey.DIRECT_PROTO_STR), str(b, StreamTypeKey.RIDESHARE),
				str(b, StreamTypeKey.PAYLOAD_FMT), str(b, StreamTypeKey.USE_AUTH), str(b, StreamTypeKey.AWS_REGION),
				str(b, StreamTypeKey.AWS_SERVICE), (List<MetadataDeclaration>) get(b, StreamTypeKey.METADATA),
				(List<ServerOption>) get(b, StreamTypeKey.OPTIONS),
				(defaults != null && !anySet(b, TLS_KEYS)) ? defaults.tls() : tls(b),
				(defaults != null && !anySet(b, HTTP_KEYS)) ? defaults.http() : http(b),
				(defaults != null && !anySet(b, WS_KEYS)) ? defaults.ws() : ws(b), mqtt,
				(defaults != null && !anySet(b, ATTRIBUTE_KEYS)) ? defaults.attributes() : attributes(b),
				(defaults != null && !anySet(b, BUFFER_KEYS)) ? defaults.buffers() : buffers(b));
	}

	private static TlsSettings tls(StreamTypePolicy.Builder b) {
		return new TlsSettings(bool(b, StreamTypeKey.TLS), str(b, StreamTypeKey.TLS_TRUST_STORE),
				integer(b, StreamTypeKey.CLIENT_CERT), str(b, StreamTypeKey.SERVER_CERT),
				str(b, StreamTypeKey.SERVER_KEY));
	}

	@SuppressWarnings("unchecked")
	private static HttpSettings http(StreamTypePolicy.Builder b) {
		return new HttpSettings(str(b, StreamTypeKey.HTTP_METHOD), str(b, StreamTypeKey.HTTP_URL),
				integer(b, StreamTypeKey.HTTP_EXPECT), (List<HttpResponseMapping>) get(b, StreamTypeKey.HTTP_RESP_MAP),
				str(b, StreamTypeKey.HTTP_AUTH_HEADER), str(b, StreamTypeKey.HTTP_DSN_HEADER),
				str(b, StreamTypeKey.HTTP_FWV_HEADER), str(b, StreamTypeKey.HTTP_DEVTYPE_HEADER),
				str(b, StreamTypeKey.HTTP_AUTH_PREAMBLE), bool(b, StreamTypeKey.AUTH_HEXIFY),
				bool(b, StreamTypeKey.HTTP_NO_CONTENT_LENGTH), bool(b, StreamTypeKey.NGHTTP2_QUIRK_END_STREAM),
				bool(b, StreamTypeKey.H2Q_OFLOW_TXCR), str(b, StreamTypeKey.HTTP_MULTIPART_NAME),
				str(b, StreamTypeKey.HTTP_MULTIPART_FILENAME), str(b, StreamTypeKey.HTTP_MIME_CONTENT_TYPE),
				bool(b, StreamTypeKey.HTTP_WWW_FORM_URLENCODED), bool(b, StreamTypeKey.HTTP_COOKIES),
				bool(b, StreamTypeKey.HTTP_FAIL_REDIRECT), bool(b, StreamTypeKey.ALLOW_REDIRECTS),
				bool(b, StreamTypeKey.HTTP_MULTIPART_SS_IN));
	}

	private static WsSettings ws(StreamTypePolicy.Builder b) {
		return new WsSettings(str(b, StreamTypeKey.WS_SUBPROTOCOL), bool(b, StreamTypeKey.WS_BINARY),
				bool(b, StreamTypeKey.WS_PRIORITIZE_READS));
	}

	private static MqttSettings mqtt(StreamTypePolicy.Builder b, @Nullable StreamTypePolicy defaults) {
		MqttMessageSettings will = (defaults != null && !anySet(b, WILL_KEYS)) ? defaults.mqtt().will()
				: new MqttMessageSettings(str(b, StreamTypeKey.MQTT_WILL_TOPIC),
						str(b, StreamTypeKey.MQTT_WILL_MESSAGE), integer0(b, StreamTypeKey.MQTT_WILL_QOS),
						bool(b, StreamTypeKey.MQTT_WILL_RETAIN));
		MqttMessageSettings birth = (defaults != null && !anySet(b, BIRTH_KEYS)) ? defaults.mqtt().birth()
				: new MqttMessageSettings(str(b, StreamTypeKey.MQTT_BIRTH_TOPIC),
						str(b, StreamTypeKey.MQTT_BIRTH_MESSAGE), integer0(b, StreamTypeKey.MQTT_BIRTH_QOS),
						bool(b, StreamTypeKey.MQTT_BIRTH_RETAIN));
		return new MqttSettings(str(b, StreamTypeKey.MQTT_TOPIC), str(b, StreamTypeKey.MQTT_SUBSCRIBE),
				integer0(b, StreamTypeKey.MQTT_QOS), bool(b, StreamTypeKey.MQTT_RETAIN),
				integer(b, StreamTypeKey.MQTT_KEEP_ALIVE), bool(b, StreamTypeKey.MQTT_CLEAN_START), will, birth,
				bool(b, StreamTypeKey.AWS_IOT));
	}

	private static SocketAttributes attributes(StreamTypePolicy.Builder b) {
		return new SocketAttributes(integer(b, StreamTypeKey.ATTR_PRIORITY), bool(b, StreamTypeKey.ATTR_LOW_LATENCY),
				bool(b, StreamTypeKey.ATTR_HIGH_THROUGHPUT), bool(b, StreamTypeKey.ATTR_HIGH_RELIABILITY),
				bool(b, StreamTypeKey.ATTR_LOW_COST));
	}

	private static BufferSettings buffers(StreamTypePolicy.Builder b) {
		return new BufferSettings(lng(b, StreamTypeKey.PROXY_BUFLEN),
				lng(b, StreamTypeKey.PROXY_BUFLEN_RXFLOW_ON_ABOVE), lng(b, StreamTypeKey.PROXY_BUFLEN_RXFLOW_OFF_BELOW),
				lng(b, StreamTypeKey.CLIENT_BUFLEN), lng(b, StreamTypeKey.CLIENT_BUFLEN_RXFLOW_ON_ABOVE),
				lng(b, StreamTypeKey.CLIENT_BUFLEN_RXFLOW_OFF_BELOW));
	}

	private static boolean anySet(StreamTypePolicy.Builder b, StreamTypeKey[] keys) {
		for (StreamTypeKey key : keys) {
			if (b.isSet(key)) {
				return true;
			}
		}
		return false;
	}

	private static StreamTypeKey[] keys(StreamTypeKey... keys) {
		return keys;
	}

	private static @Nullable Object get(StreamTypePolicy.Builder b, StreamTypeKey key) {
		return b.get(key);
	}

	private static boolean bool(StreamTypePolicy.Builder b, StreamTypeKey key) {
		return (Boolean) b.get(key);
	}

	private static @Nullable String str(StreamTypePolicy.Builder b, StreamTypeKey key) {
		return (String) b.get(key);
	}

	private static @Nullable Integer integer(StreamTypePolicy.Builder b, StreamTypeKey key) {
		Object value = b.get(key);
		return (value != null) ? ((Number) value).intValue() : null;
	}

	private static int integer0(StreamTypePolicy.Builder b, StreamTypeKey key) {
		Integer value = integer(b, key);
		return (value != null) ? value : 0;
	}

	private static long lng(StreamTypePolicy.Builder b, StreamTypeKey key) {
		Object value = b.get(key);
		return (value != null) ? ((Number) value).longValue() : 0L;
	}

}
