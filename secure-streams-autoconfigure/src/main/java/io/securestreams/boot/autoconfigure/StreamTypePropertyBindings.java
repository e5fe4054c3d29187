package io.securestreams.boot.autoconfigure;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.securestreams.boot.autoconfigure.SecureStreamsProperties.StreamType;
import io.securestreams.policy.HttpResponseMapping;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.ServerOption;
import io.securestreams.policy.StreamTypeKey;
import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

/**
 * The one-to-one table between {@link StreamTypeKey} and the properties of
 * {@link StreamType}: the property of a key is its JSON name in kebab case.
 *
 * @author Secure Streams contributors
 */
final class StreamTypePropertyBindings {

	static final Map<StreamTypeKey, Function<StreamType, @Nullable Object>> BINDINGS = bindings();

	private StreamTypePropertyBindings() {
	}

	/**
	 * Returns the property name of a key, relative to its streamtype.
	 * @param key the key
	 * @return for example {@code tls-trust-store}
	 */
	static String propertyName(StreamTypeKey key) {
		return key.jsonName().replace('_', '-');
	}

	/**
	 * Converts a bound property value to the key's policy value.
	 * @param value the bound value
	 * @return the value for {@link io.securestreams.policy.StreamTypePolicy.Builder#set}, or
	 * {@code null} when an empty map means "not set"
	 */
	@SuppressWarnings("unchecked")
	static @Nullable Object toPolicyValue(StreamTypeKey key, Object value) {
		if (value instanceof Duration duration) {
			return (key == StreamTypeKey.MQTT_KEEP_ALIVE) ? wholeSeconds(duration) : wholeMillis(duration);
		}
		if (value instanceof DataSize size) {
			return size.toBytes();
		}
		if (value instanceof Map<?, ?> map) {
			if (map.isEmpty()) {
				return null;
			}
			return switch (key.type()) {
				case METADATA -> ((Map<String, @Nullable String>) map).entrySet()
					.stream()
					.map((entry) -> new MetadataDeclaration(entry.getKey(),
							(entry.getValue() != null) ? entry.getValue() : ""))
					.toList();
				case RESPONSE_MAP -> ((Map<Integer, Integer>) map).entrySet()
					.stream()
					.map((entry) -> new HttpResponseMapping(entry.getKey(), entry.getValue()))
					.toList();
				case OPTIONS -> ((Map<String, @Nullable String>) map).entrySet()
					.stream()
					.map((entry) -> new ServerOption(entry.getKey(),
							(entry.getValue() != null) ? entry.getValue() : ""))
					.toList();
				default -> throw new IllegalStateException("no map conversion for " + key);
			};
		}
		return value;
	}

	// The policy keeps the MQTT keep-alive in seconds, as the CONNECT packet does: cutting 1500ms
	// to 1 would ping at a time nobody asked for, and 500ms to 0 would turn keep-alive off.
	private static long wholeSeconds(Duration duration) {
		if (duration.getNano() != 0) {
			String given = (duration.getNano() % 1_000_000 == 0) ? duration.toMillis() + "ms" : duration.toString();
			throw new IllegalArgumentException(given + " is not a whole number of seconds; the policy keeps this "
					+ "time in seconds (for example 1s or 30s)");
		}
		return duration.getSeconds();
	}

	/**
	 * Returns a duration in milliseconds, the unit of the policy's {@code timeout_ms} and
	 * {@code backoff}: cutting 500us to 0 would turn a timeout off and retry at once.
	 * @param duration the bound duration
	 * @return its milliseconds
	 * @throws IllegalArgumentException if it has a part below a millisecond
	 */
	static long wholeMillis(Duration duration) {
		if (duration.getNano() % 1_000_000 != 0) {
			throw new IllegalArgumentException(duration + " is not a whole number of milliseconds; the policy keeps "
					+ "this time in milliseconds (for example 500 or 2s)");
		}
		return duration.toMillis();
	}

	private static Map<StreamTypeKey, Function<StreamType, @Nullable Object>> bindings() {
		Map<StreamTypeKey, Function<StreamType, @Nullable Object>> bindings = new EnumMap<>(StreamTypeKey.class);
		bind(bindings, StreamTypeKey.ENDPOINT, StreamType::getEndpoint);
		bind(bindings, StreamTypeKey.PORT, StreamType::getPort);
		bind(bindings, StreamTypeKey.PROTOCOL, StreamType::getProtocol);
		bind(bindings, StreamTypeKey.SERVER, StreamType::getServer);
		bind(bindings, StreamTypeKey.VIA_SOCKS5, StreamType::getViaSocks5);
		bind(bindings, StreamTypeKey.RETRY, StreamType::getRetry);
		bind(bindings, StreamTypeKey.TIMEOUT_MS, StreamType::getTimeoutMs);
		bind(bindings, StreamTypeKey.OPPORTUNISTIC, StreamType::getOpportunistic);
		bind(bindings, StreamTypeKey.NAILED_UP, StreamType::getNailedUp);
		bind(bindings, StreamTypeKey.URGENT_TX, StreamType::getUrgentTx);
		bind(bindings, StreamTypeKey.URGENT_RX, StreamType::getUrgentRx);
		bind(bindings, StreamTypeKey.PERF, StreamType::getPerf);
		bind(bindings, StreamTypeKey.LONG_POLL, StreamType::getLongPoll);
		bind(bindings, StreamTypeKey.SWAKE_VALIDITY, StreamType::getSwakeValidity);
		bind(bindings, StreamTypeKey.LOCAL_SINK, StreamType::getLocalSink);
		bind(bindings, StreamTypeKey.DIRECT_PROTO_STR, StreamType::getDirectProtoStr);
		bind(bindings, StreamTypeKey.RIDESHARE, StreamType::getRideshare);
		bind(bindings, StreamTypeKey.PAYLOAD_FMT, StreamType::getPayloadFmt);
		bind(bindings, StreamTypeKey.USE_AUTH, StreamType::getUseAuth);
		bind(bindings, StreamTypeKey.AWS_REGION, StreamType::getAwsRegion);
		bind(bindings, StreamTypeKey.AWS_SERVICE, StreamType::getAwsService);
		bind(bindings, StreamTypeKey.METADATA, StreamType::getMetadata);
		bind(bindings, StreamTypeKey.OPTIONS, StreamType::getOptions);
		bind(bindings, StreamTypeKey.TLS, StreamType::getTls);
		bind(bindings, StreamTypeKey.TLS_TRUST_STORE, StreamType::getTlsTrustStore);
		bind(bindings, StreamTypeKey.CLIENT_CERT, StreamType::getClientCert);
		bind(bindings, StreamTypeKey.SERVER_CERT, StreamType::getServerCert);
		bind(bindings, StreamTypeKey.SERVER_KEY, StreamType::getServerKey);
		bind(bindings, StreamTypeKey.HTTP_METHOD, StreamType::getHttpMethod);
		bind(bindings, StreamTypeKey.HTTP_URL, StreamType::getHttpUrl);
		bind(bindings, StreamTypeKey.HTTP_EXPECT, StreamType::getHttpExpect);
		bind(bindings, StreamTypeKey.HTTP_RESP_MAP, StreamType::getHttpRespMap);
		bind(bindings, StreamTypeKey.HTTP_AUTH_HEADER, StreamType::getHttpAuthHeader);
		bind(bindings, StreamTypeKey.HTTP_DSN_HEADER, StreamType::getHttpDsnHeader);
		bind(bindings, StreamTypeKey.HTTP_FWV_HEADER, StreamType::getHttpFwvHeader);
		bind(bindings, StreamTypeKey.HTTP_DEVTYPE_HEADER, StreamType::getHttpDevtypeHeader);
		bind(bindings, StreamTypeKey.HTTP_AUTH_PREAMBLE, StreamType::getHttpAuthPreamble);
		bind(bindings, StreamTypeKey.AUTH_HEXIFY, StreamType::getAuthHexify);
		bind(bindings, StreamTypeKey.HTTP_NO_CONTENT_LENGTH, StreamType::getHttpNoContentLength);
		bind(bindings, StreamTypeKey.NGHTTP2_QUIRK_END_STREAM, StreamType::getNghttp2QuirkEndStream);
		bind(bindings, StreamTypeKey.H2Q_OFLOW_TXCR, StreamType::getH2qOflowTxcr);
		bind(bindings, StreamTypeKey.HTTP_MULTIPART_NAME, StreamType::getHttpMultipartName);
		bind(bindings, StreamTypeKey.HTTP_MULTIPART_FILENAME, StreamType::getHttpMultipartFilename);
		bind(bindings, StreamTypeKey.HTTP_MIME_CONTENT_TYPE, StreamType::getHttpMimeContentType);
		bind(bindings, StreamTypeKey.HTTP_WWW_FORM_URLENCODED, StreamType::getHttpWwwFormUrlencoded);
		bind(bindings, StreamTypeKey.HTTP_COOKIES, StreamType::getHttpCookies);
		bind(bindings, StreamTypeKey.HTTP_FAIL_REDIRECT, StreamType::getHttpFailRedirect);
		bind(bindings, StreamTypeKey.ALLOW_REDIRECTS, StreamType::getAllowRedirects);
		bind(bindings, StreamTypeKey.HTTP_MULTIPART_SS_IN, StreamType::getHttpMultipartSsIn);
		bind(bindings, StreamTypeKey.WS_SUBPROTOCOL, StreamType::getWsSubprotocol);
		bind(bindings, StreamTypeKey.WS_BINARY, StreamType::getWsBinary);
		bind(bindings, StreamTypeKey.WS_PRIORITIZE_READS, StreamType::getWsPrioritizeReads);
		bind(bindings, StreamTypeKey.MQTT_TOPIC, StreamType::getMqttTopic);
		bind(bindings, StreamTypeKey.MQTT_SUBSCRIBE, StreamType::getMqttSubscribe);
		bind(bindings, StreamTypeKey.MQTT_QOS, StreamType::getMqttQos);
		bind(bindings, StreamTypeKey.MQTT_RETAIN, StreamType::getMqttRetain);
		bind(bindings, StreamTypeKey.MQTT_KEEP_ALIVE, StreamType::getMqttKeepAlive);
		bind(bindings, StreamTypeKey.MQTT_CLEAN_START, StreamType::getMqttCleanStart);
		bind(bindings, StreamTypeKey.MQTT_WILL_TOPIC, StreamType::getMqttWillTopic);
		bind(bindings, StreamTypeKey.MQTT_WILL_MESSAGE, StreamType::getMqttWillMessage);
		bind(bindings, StreamTypeKey.MQTT_WILL_QOS, StreamType::getMqttWillQos);
		bind(bindings, StreamTypeKey.MQTT_WILL_RETAIN, StreamType::getMqttWillRetain);
		bind(bindings, StreamTypeKey.MQTT_BIRTH_TOPIC, StreamType::getMqttBirthTopic);
		bind(bindings, StreamTypeKey.MQTT_BIRTH_MESSAGE, StreamType::getMqttBirthMessage);
		bind(bindings, StreamTypeKey.MQTT_BIRTH_QOS, StreamType::getMqttBirthQos);
		bind(bindings, StreamTypeKey.MQTT_BIRTH_RETAIN, StreamType::getMqttBirthRetain);
		bind(bindings, StreamTypeKey.AWS_IOT, StreamType::getAwsIot);
		bind(bindings, StreamTypeKey.ATTR_PRIORITY, StreamType::getAttrPriority);
		bind(bindings, StreamTypeKey.ATTR_LOW_LATENCY, StreamType::getAttrLowLatency);
		bind(bindings, StreamTypeKey.ATTR_HIGH_THROUGHPUT, StreamType::getAttrHighThroughput);
		bind(bindings, StreamTypeKey.ATTR_HIGH_RELIABILITY, StreamType::getAttrHighReliability);
		bind(bindings, StreamTypeKey.ATTR_LOW_COST, StreamType::getAttrLowCost);
		bind(bindings, StreamTypeKey.PROXY_BUFLEN, StreamType::getProxyBuflen);
		bind(bindings, StreamTypeKey.PROXY_BUFLEN_RXFLOW_ON_ABOVE, StreamType::getProxyBuflenRxflowOnAbove);
		bind(bindings, StreamTypeKey.PROXY_BUFLEN_RXFLOW_OFF_BELOW, StreamType::getProxyBuflenRxflowOffBelow);
		bind(bindings, StreamTypeKey.CLIENT_BUFLEN, StreamType::getClientBuflen);
		bind(bindings, StreamTypeKey.CLIENT_BUFLEN_RXFLOW_ON_ABOVE, StreamType::getClientBuflenRxflowOnAbove);
		bind(bindings, StreamTypeKey.CLIENT_BUFLEN_RXFLOW_OFF_BELOW, StreamType::getClientBuflenRxflowOffBelow);
		return Collections.unmodifiableMap(bindings);
	}

	private static void bind(Map<StreamTypeKey, Function<StreamType, @Nullable Object>> bindings, StreamTypeKey key,
			Function<StreamType, @Nullable Object> getter) {
		bindings.put(key, getter);
	}

	/**
	 * Lists every key, for tests and documentation.
	 * @return the keys in table order
	 */
	static List<StreamTypeKey> keys() {
		return List.copyOf(BINDINGS.keySet());
	}

}
