package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import io.securestreams.policy.Policy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One row per key of the top level and of retry, trust store, auth and metrics entries: a
 * value in JSON is read back from the model. A key added to a reader's key list without a row
 * fails {@link #everyKeyHasARow(String)}.
 */
class SectionKeyTableTests {

	record Row(String json, Function<Policy, Object> getter, Object expected) {
	}

	static final Map<String, Row> ROWS = new LinkedHashMap<>();

	static {
		row("release", "{\"release\": \"01234567\"}", Policy::release, "01234567");
		row("release (number)", "{\"release\": 7}", Policy::release, "7");
		row("product", "{\"product\": \"myproduct\"}", Policy::product, "myproduct");
		row("schema-version", "{\"schema-version\": 3}", Policy::schemaVersion, 3);
		row("via-socks5", "{\"via-socks5\": \"127.0.0.1:1337\"}", Policy::viaSocks5, "127.0.0.1:1337");
		row("retry", "{\"retry\": [{\"a\": {}, \"b\": {}}, {\"c\": {}}]}", (p) -> List.copyOf(p.retry().keySet()),
				List.of("a", "b", "c"));
		row("certs", certs(), (p) -> List.copyOf(p.certs().keySet()), List.of("c", "k"));
		row("trust_stores", certs().replace("}]}", "}], \"trust_stores\": [{\"t\": [\"c\"]}]}"),
				(p) -> p.trustStores().get("t").certificateNames(), List.of("c"));
		row("auth", "{\"auth\": [{\"name\": \"a\", \"type\": \"sigv4\"}]}", (p) -> p.auth().get("a").type(), "sigv4");
		row("metrics", "{\"metrics\": [{\"name\": \"m\"}]}", (p) -> p.metrics().get(0).name(), "m");
		row("s", "{\"s\": [{\"a\": {}, \"b\": {}}, {\"c\": {}}]}", (p) -> List.copyOf(p.streamTypes().keySet()),
				List.of("a", "b", "c"));
		row("retry.backoff", retry("\"backoff\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"),
				(p) -> p.retry().get("r").backoffMs(), List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
		row("retry.conceal", retry("\"conceal\": 65535"), (p) -> p.retry().get("r").conceal(), 65535);
		row("retry.jitterpc", retry("\"jitterpc\": 0"), (p) -> p.retry().get("r").jitterPercent(), 0);
		row("retry.svalidping", retry("\"svalidping\": 30"), (p) -> p.retry().get("r").validPingSeconds(), 30);
		row("retry.svalidhup", retry("\"svalidhup\": 35"), (p) -> p.retry().get("r").validHangupSeconds(), 35);
		String store = certs().replace("}]}", "}], \"trust_stores\": [{\"stack\": [\"c\"], \"name\": \"t\"}]}");
		row("trust_stores.name", store, (p) -> List.copyOf(p.trustStores().keySet()), List.of("t"));
		row("trust_stores.stack", store, (p) -> p.trustStores().get("t").certificateNames(), List.of("c"));
		String auth = "{\"auth\": [{\"name\": \"a\", \"type\": \"sigv4\", \"streamtype\": \"s3\", \"blob\": 3}], "
				+ "\"s\": [{\"s3\": {}}]}";
		row("auth.name", auth, (p) -> p.auth().get("a").name(), "a");
		row("auth.type", auth, (p) -> p.auth().get("a").type(), "sigv4");
		row("auth.streamtype", auth, (p) -> p.auth().get("a").streamType(), "s3");
		row("auth.blob", auth, (p) -> p.auth().get("a").blob(), 3);
		String metrics = "{\"metrics\": [{\"name\": \"m\", \"us_schedule\": 60000000, \"us_halflife\": 3000000, "
				+ "\"min_outlier\": 200, \"report\": \"r\"}], \"s\": [{\"r\": {\"endpoint\": \"e\"}}]}";
		row("metrics.name", metrics, (p) -> p.metrics().get(0).name(), "m");
		row("metrics.us_schedule", metrics, (p) -> p.metrics().get(0).usSchedule(), 60000000L);
		row("metrics.us_halflife", metrics, (p) -> p.metrics().get(0).usHalflife(), 3000000L);
		row("metrics.min_outlier", metrics, (p) -> p.metrics().get(0).minOutlier(), 200L);
		row("metrics.report", metrics, (p) -> p.metrics().get(0).report(), "r");
	}

	private static void row(String key, String json, Function<Policy, Object> getter, Object expected) {
		ROWS.put(key, new Row(json, getter, expected));
	}

	private static String retry(String members) {
		return "{\"retry\": [{\"r\": {" + members + "}}]}";
	}

	private static String certs() {
		String json = StreamTypeKeyTableTests.policyWith("");
		return json.substring(0, json.indexOf(", \"trust_stores\""))
			.replaceFirst("\\{\"retry\".*?, \"certs\"", "{\"certs\"") + "}";
	}

	static Stream<String> keys() {
		return ROWS.keySet().stream();
	}

	static Stream<String> declaredKeys() {
		return Stream.of(TopLevelReader.KEYS.stream(), RetryReader.KEYS.stream().map((key) -> "retry." + key),
				TrustStoreReader.KEYS.stream().map((key) -> "trust_stores." + key),
				AuthReader.AUTH_KEYS.stream().map((key) -> "auth." + key),
				AuthReader.METRICS_KEYS.stream().map((key) -> "metrics." + key))
			.flatMap(Function.identity());
	}

	@ParameterizedTest
	@MethodSource("declaredKeys")
	void everyKeyHasARow(String key) {
		assertThat(ROWS).containsKey(key);
	}

	@ParameterizedTest
	@MethodSource("keys")
	void valueIsReadBack(String key) {
		Row row = ROWS.get(key);
		Policy policy = new PolicyParser().parse("keys.json", row.json().getBytes(StandardCharsets.UTF_8)).policy();
		assertThat(row.getter().apply(policy)).isEqualTo(row.expected());
	}

}
