package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.securestreams.policy.HttpResponseMapping;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.Policy;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.ServerOption;
import io.securestreams.policy.StreamTypeKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One row per streamtype key: a JSON value is read back from the model through the key's
 * getter. Adding a key to {@link StreamTypeKey} without a row here fails
 * {@link #everyKeyHasARow(StreamTypeKey)}.
 */
class StreamTypeKeyTableTests {

	record Row(String json, Object expected) {
	}

	static final Map<StreamTypeKey, Row> ROWS = new EnumMap<>(StreamTypeKey.class);

	static {
		row(StreamTypeKey.ENDPOINT, "\"${region}.example.com\"", "${region}.example.com");
		row(StreamTypeKey.PORT, "443", 443);
		row(StreamTypeKey.PROTOCOL, "\"ws\"", Protocol.WS);
		row(StreamTypeKey.SERVER, "true", true);
		row(StreamTypeKey.VIA_SOCKS5, "\"127.0.0.1:1080\"", "127.0.0.1:1080");
		row(StreamTypeKey.RETRY, "\"r\"", "r");
		row(StreamTypeKey.TIMEOUT_MS, "2000", 2000L);
		for (StreamTypeKey flag : List.of(StreamTypeKey.OPPORTUNISTIC, StreamTypeKey.NAILED_UP, StreamTypeKey.URGENT_TX,
				StreamTypeKey.URGENT_RX, StreamTypeKey.PERF, StreamTypeKey.LONG_POLL, StreamTypeKey.SWAKE_VALIDITY,
				StreamTypeKey.LOCAL_SINK, StreamTypeKey.DIRECT_PROTO_STR, StreamTypeKey.TLS, StreamTypeKey.AUTH_HEXIFY,
				StreamTypeKey.HTTP_NO_CONTENT_LENGTH, StreamTypeKey.NGHTTP2_QUIRK_END_STREAM,
				StreamTypeKey.H2Q_OFLOW_TXCR,
				StreamTypeKey.HTTP_WWW_FORM_URLENCODED, StreamTypeKey.HTTP_COOKIES, StreamTypeKey.HTTP_FAIL_REDIRECT,
				StreamTypeKey.ALLOW_REDIRECTS, StreamTypeKey.HTTP_MULTIPART_SS_IN, StreamTypeKey.WS_BINARY,
				StreamTypeKey.WS_PRIORITIZE_READS, StreamTypeKey.MQTT_RETAIN, StreamTypeKey.MQTT_CLEAN_START,
				StreamTypeKey.MQTT_WILL_RETAIN, StreamTypeKey.MQTT_BIRTH_RETAIN, StreamTypeKey.AWS_IOT,
				StreamTypeKey.ATTR_LOW_LATENCY, StreamTypeKey.ATTR_HIGH_THROUGHPUT, StreamTypeKey.ATTR_HIGH_RELIABILITY,
				StreamTypeKey.ATTR_LOW_COST)) {
			row(flag, "true", true);
		}
		row(StreamTypeKey.RIDESHARE, "\"other\"", "other");
		row(StreamTypeKey.PAYLOAD_FMT, "\"json\"", "json");
		row(StreamTypeKey.USE_AUTH, "\"a\"", "a");
		row(StreamTypeKey.AWS_REGION, "\"region\"", "region");
		row(StreamTypeKey.AWS_SERVICE, "\"region\"", "region");
		row(StreamTypeKey.METADATA, "[{\"ctype\": \"content-type:\"}, {\"a\": \"\", \"b\": \"\"}]",
				List.of(new MetadataDeclaration("ctype", "content-type:"), new MetadataDeclaration("a", ""),
						new MetadataDeclaration("b", "")));
		row(StreamTypeKey.OPTIONS, "{\"x\": 1, \"y\": \"z\", \"b\": true}",
				List.of(new ServerOption("x", "1"), new ServerOption("y", "z"), new ServerOption("b", "true")));
		row(StreamTypeKey.TLS_TRUST_STORE, "\"t\"", "t");
		row(StreamTypeKey.CLIENT_CERT, "1", 1);
		row(StreamTypeKey.SERVER_CERT, "\"c\"", "c");
		row(StreamTypeKey.SERVER_KEY, "\"k\"", "k");
		row(StreamTypeKey.HTTP_METHOD, "\"POST\"", "POST");
		row(StreamTypeKey.HTTP_URL, "\"/x?a=${region}\"", "/x?a=${region}");
		row(StreamTypeKey.HTTP_EXPECT, "204", 204);
		row(StreamTypeKey.HTTP_RESP_MAP, "[{\"530\": 1530}, {\"531\": 1531}]",
				List.of(new HttpResponseMapping(530, 1530), new HttpResponseMapping(531, 1531)));
		row(StreamTypeKey.HTTP_AUTH_HEADER, "\"authorization:\"", "authorization:");
		row(StreamTypeKey.HTTP_DSN_HEADER, "\"x-dsn:\"", "x-dsn:");
		row(StreamTypeKey.HTTP_FWV_HEADER, "\"x-fw-version:\"", "x-fw-version:");
		row(StreamTypeKey.HTTP_DEVTYPE_HEADER, "\"x-devtype:\"", "x-devtype:");
		row(StreamTypeKey.HTTP_AUTH_PREAMBLE, "\"bearer \"", "bearer ");
		row(StreamTypeKey.HTTP_MULTIPART_NAME, "\"metadata\"", "metadata");
		row(StreamTypeKey.HTTP_MULTIPART_FILENAME, "\"f.bin\"", "f.bin");
		row(StreamTypeKey.HTTP_MIME_CONTENT_TYPE, "\"application/json; charset=UTF-8\"",
				"application/json; charset=UTF-8");
		row(StreamTypeKey.WS_SUBPROTOCOL, "\"lws-mirror-protocol, chat\"", "lws-mirror-protocol, chat");
		row(StreamTypeKey.MQTT_TOPIC, "\"t/${region}\"", "t/${region}");
		row(StreamTypeKey.MQTT_SUBSCRIBE, "\"t/#\"", "t/#");
		row(StreamTypeKey.MQTT_QOS, "2", 2);
		row(StreamTypeKey.MQTT_KEEP_ALIVE, "60", 60);
		row(StreamTypeKey.MQTT_WILL_TOPIC, "\"will\"", "will");
		row(StreamTypeKey.MQTT_WILL_MESSAGE, "\"gone\"", "gone");
		row(StreamTypeKey.MQTT_WILL_QOS, "1", 1);
		row(StreamTypeKey.MQTT_BIRTH_TOPIC, "\"birth\"", "birth");
		row(StreamTypeKey.MQTT_BIRTH_MESSAGE, "\"here\"", "here");
		row(StreamTypeKey.MQTT_BIRTH_QOS, "2", 2);
		row(StreamTypeKey.ATTR_PRIORITY, "6", 6);
		row(StreamTypeKey.PROXY_BUFLEN, "65536", 65536L);
		row(StreamTypeKey.PROXY_BUFLEN_RXFLOW_ON_ABOVE, "49152", 49152L);
		row(StreamTypeKey.PROXY_BUFLEN_RXFLOW_OFF_BELOW, "16384", 16384L);
		row(StreamTypeKey.CLIENT_BUFLEN, "4294967295", 4294967295L);
		row(StreamTypeKey.CLIENT_BUFLEN_RXFLOW_ON_ABOVE, "3000", 3000L);
		row(StreamTypeKey.CLIENT_BUFLEN_RXFLOW_OFF_BELOW, "1000", 1000L);
	}

	private static void row(StreamTypeKey key, String json, Object expected) {
		ROWS.put(key, new Row(json, expected));
	}

	/** Definitions every row may refer to: retry r, cert c, key k, trust store t, auth a, streamtype other. */
	static String policyWith(String streamTypeBody) {
		Policy server = PolicyFixtures.parse("server__hello_world__example-policy.json");
		String cert = Base64.getEncoder().encodeToString(server.certs().get("self_localhost").der());
		String key = Base64.getEncoder().encodeToString(server.certs().get("self_localhost_key").der());
		return "{\"retry\": [{\"r\": {\"backoff\": [1]}}], \"certs\": [{\"c\": \"" + cert + "\", \"k\": \"" + key
				+ "\"}], \"trust_stores\": [{\"name\": \"t\", \"stack\": [\"c\"]}], \"auth\": [{\"name\": \"a\", "
				+ "\"type\": \"sigv4\"}], \"s\": [{\"other\": {}}, {\"st\": {" + streamTypeBody + "}}]}";
	}

	static Stream<StreamTypeKey> keys() {
		return ROWS.keySet().stream();
	}

	@ParameterizedTest
	@EnumSource(StreamTypeKey.class)
	void everyKeyHasARow(StreamTypeKey key) {
		assertThat(ROWS).containsKey(key);
	}

	@ParameterizedTest
	@MethodSource("keys")
	void valueIsReadBack(StreamTypeKey key) {
		Row row = ROWS.get(key);
		String metadata = (key != StreamTypeKey.METADATA) ? "\"metadata\": [{\"region\": \"\"}], " : "";
		String json = policyWith(metadata + "\"" + key.jsonName() + "\": " + row.json());
		Policy policy = new PolicyParser().parse("keys.json", json.getBytes(StandardCharsets.UTF_8)).policy();
		assertThat(key.get(policy.streamType("st"))).isEqualTo(row.expected());
		assertThat(row.expected()).isNotEqualTo(key.defaultValue());
	}

	@ParameterizedTest
	@MethodSource("keys")
	void nullResetsToDefault(StreamTypeKey key) {
		String json = policyWith("\"" + key.jsonName() + "\": null");
		Policy policy = new PolicyParser().parse("keys.json", json.getBytes(StandardCharsets.UTF_8)).policy();
		assertThat(key.get(policy.streamType("st"))).isEqualTo(key.defaultValue());
	}

	@Test
	void optionsMayAlsoBeAnArrayOfObjects() {
		String json = policyWith("\"options\": [{\"x\": 1.5}, {\"y\": \"z\", \"b\": false}]");
		Policy policy = new PolicyParser().parse("keys.json", json.getBytes(StandardCharsets.UTF_8)).policy();
		assertThat(policy.streamType("st").options()).containsExactly(new ServerOption("x", "1.5"),
				new ServerOption("y", "z"), new ServerOption("b", "false"));
	}

	@Test
	void numericOptionsKeepTheirText() {
		String json = policyWith("\"options\": {\"a\": 1e2, \"b\": 0.10, \"c\": 12345678901234567890.5, \"d\": -0, "
				+ "\"e\": 99999999999999999999}");
		Policy policy = new PolicyParser().parse("keys.json", json.getBytes(StandardCharsets.UTF_8)).policy();
		assertThat(policy.streamType("st").options()).containsExactly(new ServerOption("a", "1e2"),
				new ServerOption("b", "0.10"), new ServerOption("c", "12345678901234567890.5"),
				new ServerOption("d", "-0"), new ServerOption("e", "99999999999999999999"));
	}

	@Test
	void absentKeysHaveTheirDefaults() {
		Policy policy = new PolicyParser().parse("keys.json", policyWith("").getBytes(StandardCharsets.UTF_8)).policy();
		for (StreamTypeKey key : StreamTypeKey.values()) {
			assertThat(key.get(policy.streamType("st"))).as(key.jsonName()).isEqualTo(key.defaultValue());
		}
	}

}
