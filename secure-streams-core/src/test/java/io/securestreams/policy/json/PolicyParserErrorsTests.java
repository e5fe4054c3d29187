package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every kind of error the reader reports, with its exact {@code FILE:LINE:COL: PATH: MESSAGE}.
 * Documents are written with {@code '} for {@code "}; {@code CERT} and {@code KEY} stand for a
 * real base64 DER certificate and private key.
 */
class PolicyParserErrorsTests {

	private static final Policy SERVER = PolicyFixtures.parse("server__hello_world__example-policy.json");

	private static final String CERT = Base64.getEncoder().encodeToString(SERVER.certs().get("self_localhost").der());

	private static final String KEY = Base64.getEncoder()
		.encodeToString(SERVER.certs().get("self_localhost_key").der());

	/** Definitions on lines 1-4, streamtype {@code st} opened on line 5, {@code body} on line 6. */
	static String st(String body) {
		return "{'retry': [{'r': {}}],\n'certs': [{'c': 'CERT', 'k': 'KEY'}],\n"
				+ "'trust_stores': [{'name': 't', 'stack': ['c']}],\n'auth': [{'name': 'a', 'type': 'sigv4'}],\n"
				+ "'s': [{'st': {\n" + body + "\n}}]}";
	}

	static Stream<Arguments> errors() {
		return Stream.of(
				arguments("unknown top-level key", "{'retries': []}",
						"t.json:1:2: retries: unknown top-level key 'retries'; did you mean retry?"),
				arguments("unknown retry key", "{'retry': [{'r': {'backof': [1]}}]}",
						"t.json:1:19: retry[0].r.backof: unknown retry key 'backof'; did you mean backoff?"),
				arguments("unknown trust store key", "{'trust_stores': [{'name': 't', 'stak': []}]}",
						"t.json:1:33: trust_stores[0].stak: unknown trust store key 'stak'; did you mean stack?"),
				arguments("unknown auth key", "{'auth': [{'name': 'a', 'type': 'sigv4', 'bloob': 1}]}",
						"t.json:1:42: auth[0].bloob: unknown auth scheme key 'bloob'; did you mean blob?"),
				arguments("unknown metrics key", "{'metrics': [{'name': 'm', 'report_to': 'x'}]}",
						"t.json:1:28: metrics[0].report_to: unknown metrics policy key 'report_to'; did you mean "
								+ "report?"),
				arguments("unknown streamtype key", st("'tls_truststore': 't'"),
						"t.json:6:1: s[0].st.tls_truststore: unknown streamtype key 'tls_truststore'; did you mean "
								+ "tls_trust_store?"),
				arguments("unknown key without a near one", st("'zzz': 1"),
						"t.json:6:1: s[0].st.zzz: unknown streamtype key 'zzz'"),
				arguments("string for an integer", st("'port': '443'"),
						"t.json:6:9: s[0].st.port: expected an integer 0..65535, got a string \"443\""),
				arguments("string for a boolean", st("'tls': 'true'"),
						"t.json:6:8: s[0].st.tls: expected true or false, got a string \"true\""),
				arguments("number for a boolean", st("'tls': 1"),
						"t.json:6:8: s[0].st.tls: expected true or false, got 1"),
				arguments("float for an integer", st("'timeout_ms': 1.5"),
						"t.json:6:15: s[0].st.timeout_ms: expected an integer 0..2147483647, got a number 1.5"),
				arguments("exponent for an integer", st("'timeout_ms': 1e3"),
						"t.json:6:15: s[0].st.timeout_ms: expected an integer 0..2147483647, got a number 1e3"),
				arguments("space before an endpoint", st("'endpoint': ' example.com'"),
						"t.json:6:13: s[0].st.endpoint: ' example.com' has white space around it, which no host name, "
								+ "address or URL has"),
				arguments("tab after an endpoint", st("'endpoint': 'example.com\\t'"),
						"t.json:6:13: s[0].st.endpoint: 'example.com\t' has white space around it, which no host "
								+ "name, address or URL has"),
				arguments("array for a string", st("'endpoint': ['a']"),
						"t.json:6:13: s[0].st.endpoint: expected a string, got an array"),
				arguments("port above 65535", st("'port': 65536"),
						"t.json:6:9: s[0].st.port: expected an integer 0..65535, got 65536"),
				arguments("client port 0", st("'port': 0"),
						"t.json:6:9: s[0].st.port: expected an integer 1..65535 for a client streamtype, got 0"),
				arguments("attr_priority above 7", st("'attr_priority': 8"),
						"t.json:6:18: s[0].st.attr_priority: expected an integer 0..7, got 8"),
				arguments("mqtt_qos above 2", st("'mqtt_qos': 3"),
						"t.json:6:13: s[0].st.mqtt_qos: expected an integer 0..2, got 3"),
				arguments("empty entry in a subprotocol list", st("'ws_subprotocol': 'chat,,echo'"),
						"t.json:6:19: s[0].st.ws_subprotocol: expected an HTTP token such as my-protocol, or several "
								+ "separated by commas, got a string \"chat,,echo\""),
				arguments("space inside a subprotocol", st("'ws_subprotocol': 'chat room'"),
						"t.json:6:19: s[0].st.ws_subprotocol: expected an HTTP token such as my-protocol, or several "
								+ "separated by commas, got a string \"chat room\""),
				arguments("u16 out of range", st("'mqtt_keep_alive': 65536"),
						"t.json:6:20: s[0].st.mqtt_keep_alive: expected an integer 0..65535, got 65536"),
				arguments("u32 out of range", st("'proxy_buflen': 4294967296"),
						"t.json:6:17: s[0].st.proxy_buflen: expected an integer 0..4294967295, got 4294967296"),
				arguments("negative u32", st("'client_buflen': -1"),
						"t.json:6:18: s[0].st.client_buflen: expected an integer 0..4294967295, got -1"),
				arguments("jitterpc above 100", "{'retry': [{'r': {'jitterpc': 101}}]}",
						"t.json:1:31: retry[0].r.jitterpc: expected an integer 0..100, got 101"),
				arguments("conceal above 65535", "{'retry': [{'r': {'conceal': 65536}}]}",
						"t.json:1:30: retry[0].r.conceal: expected an integer 0..65535, got 65536"),
				arguments("backoff entry not an integer", "{'retry': [{'r': {'backoff': [1000, 2e3]}}]}",
						"t.json:1:37: retry[0].r.backoff[1]: expected an integer 0..2147483647, got a number 2e3"),
				arguments("blob above 3", "{'auth': [{'name': 'a', 'type': 'sigv4', 'blob': 4}]}",
						"t.json:1:50: auth[0].blob: expected an integer 0..3, got 4"),
				arguments("auth without type", "{'auth': [{'name': 'a'}]}",
						"t.json:1:11: auth[0]: missing \"type\": expected an auth type such as sigv4"),
				arguments("unknown protocol", st("'protocol': 'h9'"),
						"t.json:6:13: s[0].st.protocol: expected one of h1, h2, h3, ws, mqtt, raw, got a string "
								+ "\"h9\""),
				arguments("via-socks5 without a port", "{'via-socks5': 'localhost'}",
						"t.json:1:16: via-socks5: expected host:port such as 127.0.0.1:1080, got a string "
								+ "\"localhost\""),
				arguments("forward retry", "{'s': [{'st': {'retry': 'later'}}],\n'retry': [{'later': {}}]}",
						"t.json:1:25: s[0].st.retry: retry scheme 'later' is defined later, at line 2; retry, certs, "
								+ "trust_stores and auth must come before the streamtypes that use them"),
				arguments("forward trust store", "{'s': [{'st': {'tls_trust_store': 'ts'}}],\n"
						+ "'certs': [{'c': 'CERT'}],\n'trust_stores': [{'ts': ['c']}]}",
						"t.json:1:35: s[0].st.tls_trust_store: trust store 'ts' is defined later, at line 3; retry, "
								+ "certs, trust_stores and auth must come before the streamtypes that use them"),
				arguments("forward use_auth", "{'s': [{'st': {'use_auth': 'a'}}],\n"
						+ "'auth': [{'name': 'a', 'type': 'sigv4'}]}",
						"t.json:1:28: s[0].st.use_auth: auth scheme 'a' is defined later, at line 2; retry, certs, "
								+ "trust_stores and auth must come before the streamtypes that use them"),
				arguments("forward server_cert", "{'s': [{'st': {'server': true, 'server_cert': 'c'}}],\n"
						+ "'certs': [{'c': 'CERT'}]}",
						"t.json:1:47: s[0].st.server_cert: certs entry 'c' is defined later, at line 2; retry, certs, "
								+ "trust_stores and auth must come before the streamtypes that use them"),
				arguments("forward server_key", "{'s': [{'st': {'server': true, 'server_key': 'k'}}],\n"
						+ "'certs': [{'k': 'KEY'}]}",
						"t.json:1:46: s[0].st.server_key: certs entry 'k' is defined later, at line 2; retry, certs, "
								+ "trust_stores and auth must come before the streamtypes that use them"),
				arguments("forward stack entry", "{'trust_stores': [{'name': 't', 'stack': ['c']}],\n"
						+ "'certs': [{'c': 'CERT'}]}",
						"t.json:1:43: trust_stores[0].stack[0]: certs entry 'c' is defined later, at line 2; certs "
								+ "must come before the trust_stores that use them"),
				arguments("dangling retry", st("'retry': 'nope'"),
						"t.json:6:10: s[0].st.retry: no retry scheme named 'nope' in retry"),
				arguments("empty reference", st("'tls_trust_store': ''"),
						"t.json:6:20: s[0].st.tls_trust_store: expected the name of a trust store, got a string \"\""),
				arguments("auth reference not a name", st("'use_auth': ''"),
						"t.json:6:13: s[0].st.use_auth: expected the name of an auth scheme, got a string \"\""),
				arguments("retry reference not a string", st("'retry': 5"),
						"t.json:6:10: s[0].st.retry: expected the name of a retry scheme, got 5"),
				arguments("dangling trust store", st("'tls_trust_store': 'tt'"),
						"t.json:6:20: s[0].st.tls_trust_store: no trust store named 'tt' in trust_stores"),
				arguments("dangling use_auth", st("'use_auth': 'b'"),
						"t.json:6:13: s[0].st.use_auth: no auth scheme named 'b' in auth"),
				arguments("dangling server_cert", st("'server_cert': 'cc'"),
						"t.json:6:16: s[0].st.server_cert: no entry named 'cc' in certs"),
				arguments("dangling server_key", st("'server_key': 'kk'"),
						"t.json:6:15: s[0].st.server_key: no entry named 'kk' in certs"),
				arguments("dangling stack entry", "{'trust_stores': [{'t': ['c']}]}",
						"t.json:1:26: trust_stores[0].t[0]: no entry named 'c' in certs"),
				arguments("dangling retry after resolved ones",
						"{'retry': [{'r': {}}],\n"
								+ "'s': [{'a': {'retry': 'r'}}, {'b': {'retry': 'x'}}, {'c': {'retry': 'r'}}]}",
						"t.json:2:46: s[1].b.retry: no retry scheme named 'x' in retry"),
				arguments("dangling rideshare", st("'rideshare': 'nope'"),
						"t.json:6:14: s[0].st.rideshare: no streamtype named 'nope' in s"),
				arguments("undeclared aws_region", st("'aws_region': 'region'"),
						"t.json:6:15: s[0].st.aws_region: 'region' is not a metadata name declared by streamtype 'st'"),
				arguments("undeclared aws_service", st("'aws_service': 'svc'"),
						"t.json:6:16: s[0].st.aws_service: 'svc' is not a metadata name declared by streamtype 'st'"),
				arguments("dangling auth streamtype", "{'auth': [{'name': 'a', 'type': 'sigv4', 'streamtype': 'x'}]}",
						"t.json:1:56: auth[0].streamtype: no streamtype named 'x' in s"),
				arguments("exact names only", "{'retry': [{'default': {}}], 's': [{'st': {'retry': 'def'}}]}",
						"t.json:1:53: s[0].st.retry: no retry scheme named 'def' in retry"),
				arguments("duplicate streamtype", "{'s': [{'st': {}},\n{'st': {}}]}",
						"t.json:2:2: s[1].st: duplicate streamtype name 'st' (first defined at line 1)"),
				arguments("duplicate retry", "{'retry': [{'r': {}},\n{'r': {}}]}",
						"t.json:2:2: retry[1].r: duplicate retry scheme name 'r' (first defined at line 1)"),
				arguments("duplicate cert", "{'certs': [{'c': 'CERT'},\n{'c': 'CERT'}]}",
						"t.json:2:2: certs[1].c: duplicate certs entry name 'c' (first defined at line 1)"),
				arguments("duplicate trust store", "{'certs': [{'c': 'CERT'}], 'trust_stores': [{'t': ['c']},\n"
						+ "{'name': 't', 'stack': ['c']}]}",
						"t.json:2:10: trust_stores[1].name: duplicate trust store name 't' (first defined at line 1)"),
				arguments("duplicate auth", "{'auth': [{'name': 'a', 'type': 'sigv4'},\n"
						+ "{'name': 'a', 'type': 'sigv4'}]}",
						"t.json:2:10: auth[1].name: duplicate auth scheme name 'a' (first defined at line 1)"),
				arguments("duplicate key", st("'port': 443,\n'port': 444"),
						"t.json:7:1: s[0].st.port: duplicate key 'port' in one object (first at line 6)"),
				arguments("cert not base64", "{'certs': [{'c': 'MIIB*not-base64'}]}",
						"t.json:1:18: certs[0].c: expected base64 DER (the text between the PEM BEGIN and END lines), "
								+ "got a string that is not valid base64"),
				arguments("cert neither certificate nor key", "{'certs': [{'c': 'AAAA'}]}",
						"t.json:1:18: certs[0].c: expected base64 DER of an X.509 certificate or a private key, "
								+ "got base64 that decodes to neither"),
				arguments("cert not a string", "{'certs': [{'c': 12345}]}",
						"t.json:1:18: certs[0].c: expected a base64 DER string, got a number"),
				arguments("stack entry is a key", "{'certs': [{'k': 'KEY'}],\n'trust_stores': [{'t': ['k']}]}",
						"t.json:2:25: trust_stores[0].t[0]: certs entry 'k' is a private key, but a certificate is "
								+ "needed here"),
				arguments("server_key is a certificate", st("'server': true, 'server_key': 'c'"),
						"t.json:6:31: s[0].st.server_key: certs entry 'c' is a certificate, but a private key is "
								+ "needed here"),
				arguments("server_cert is a key", st("'server': true, 'server_cert': 'k'"),
						"t.json:6:32: s[0].st.server_cert: certs entry 'k' is a private key, but a certificate is "
								+ "needed here"),
				arguments("empty trust store", "{'trust_stores': [{'t': []}]}",
						"t.json:1:25: trust_stores[0].t: a trust store needs at least one certificate"),
				arguments("trust store without a name", "{'trust_stores': [{'stack': []}]}",
						"t.json:1:29: trust_stores[0].stack: a trust store needs at least one certificate"),
				arguments("metadata name with $", st("'metadata': [{'a$b': ''}]"),
						"t.json:6:15: s[0].st.metadata[0].a$b: metadata name 'a$b' must be 1..30 bytes of UTF-8 "
								+ "without '$', '{', '}' or spaces"),
				arguments("metadata mapping not a header name", st("'metadata': [{'a': 'no good'}]"),
						"t.json:6:20: s[0].st.metadata[0].a: metadata mapping must be empty or a header name such as "
								+ "content-type:, got \"no good\""),
				arguments("metadata declared twice", st("'metadata': [{'a': ''}, {'a': 'x:'}]"),
						"t.json:6:26: s[0].st.metadata[1].a: metadata name 'a' is declared twice"),
				arguments("response map status in other digits", st("'http_resp_map': [{'\u0665\u0663\u0660': 1}]"),
						"t.json:6:20: s[0].st.http_resp_map[0].\u0665\u0663\u0660: expected an HTTP status 100..599 as "
								+ "the key, got \"\u0665\u0663\u0660\""),
				arguments("response map status", st("'http_resp_map': [{'5300': 1}]"),
						"t.json:6:20: s[0].st.http_resp_map[0].5300: expected an HTTP status 100..599 as the key, "
								+ "got \"5300\""),
				arguments("empty streamtype name", "{'s': [{'': {}}]}",
						"t.json:1:9: s[0].: streamtype name must not be empty"),
				arguments("s not an array", "{'s': {'st': {}}}",
						"t.json:1:7: s: expected an array of streamtype objects, got an object"),
				arguments("root not an object", "[]", "t.json:1:1: expected a policy object, got an array"),
				arguments("empty document", "", "t.json:1:1: empty document; expected a policy object"),
				arguments("content after the policy", "{} {}",
						"t.json:1:4: unexpected content after the policy object"),
				arguments("syntax error", "{'s': [{'st': {'port': 443 'tls': true}}]}",
						"t.json:1:28: s[0].st: invalid JSON: Unexpected character ('\"' (code 34)): was expecting "
								+ "comma to separate Object entries"),
				// Jackson reads a number or literal with the name before it, so these failed before the
				// reader had seen the name and were reported at the enclosing object or array.
				arguments("capitalised literal", "{'s': [{'st': {'port': 443, 'tls': True}}]}",
						"t.json:1:36: s[0].st.tls: invalid JSON: Unrecognized token 'True': was expecting "
								+ "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
				arguments("number with a leading zero", "{'s': [{'st': {'port': 0443}}]}",
						"t.json:1:25: s[0].st.port: invalid JSON: Invalid numeric value: Leading zeroes not allowed"),
				arguments("number with a plus sign in an array", "{'retry': [{'r': {'backoff': [1000, +2000]}}]}",
						"t.json:1:38: retry[0].r.backoff[1]: invalid JSON: Unexpected character ('+' (code 43)) in "
								+ "numeric value: JSON spec does not allow numbers to have plus signs: enable "
								+ "`JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS` to allow"),
				arguments("missing comma in an array", "{'retry': [{'r': {'backoff': [1000 2000]}}]}",
						"t.json:1:36: retry[0].r.backoff[1]: invalid JSON: Unexpected character ('2' (code 50)): was "
								+ "expecting comma to separate Array entries"),
				arguments("unquoted string after a repeated key", "{'s': [{'st': {'endpoint': 'e', 'endpoint': e}}]}",
						"t.json:1:45: s[0].st: invalid JSON: Unrecognized token 'e': was expecting (JSON String, "
								+ "Number, Array, Object or token 'null', 'true' or 'false')"),
				// Jackson adds where the object began as "[Source: REDACTED (...); byte offset: #UNKNOWN]",
				// which names its internals and locates nothing.
				arguments("unclosed object", "{'s': [{'st': {'port': 443}}]",
						"t.json:1:30: invalid JSON: Unexpected end-of-input: expected close marker for Object"),
				// Jackson adds where the array or object began, again without a place.
				arguments("array closed by a brace", "{'s': [}",
						"t.json:1:8: s: invalid JSON: Unexpected close marker '}': expected ']'"),
				arguments("object closed by a bracket", "{'s': [{'st': {'port': 443]}}",
						"t.json:1:27: s[0].st: invalid JSON: Unexpected close marker ']': expected '}'"));
	}

	static List<PolicyProblem> problems(String document) {
		byte[] json = document.replace('\'', '"')
			.replace("CERT", CERT)
			.replace("KEY", KEY)
			.getBytes(StandardCharsets.UTF_8);
		try {
			new PolicyParser().parse("t.json", json);
		}
		catch (PolicyException ex) {
			return ex.problems();
		}
		return List.of();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("errors")
	void errorIsReportedInPlace(String kind, String document, String expected) {
		assertThat(problems(document)).extracting(PolicyProblem::format).containsExactly(expected);
	}

	@Test
	void everyErrorOfADocumentIsReported() {
		String document = "{'release': true,\n'retry': [{'r': {'conceal': -1}}],\n'certs': [{'c': 'AAAA'}],\n"
				+ "'s': [{'st': {'port': '1', 'retry': 'r', 'tls_truststore': 'x', 'mqtt_qos': 5},\n"
				+ "'st2': {'retry': 'none', 'protocol': 'ws2'}}]}";
		assertThat(problems(document)).extracting(PolicyProblem::format).containsExactly(
				"t.json:1:13: release: expected a string or a number, got true",
				"t.json:2:29: retry[0].r.conceal: expected an integer 0..65535, got -1",
				"t.json:3:17: certs[0].c: expected base64 DER of an X.509 certificate or a private key, got base64 "
						+ "that decodes to neither",
				"t.json:4:23: s[0].st.port: expected an integer 0..65535, got a string \"1\"",
				"t.json:4:42: s[0].st.tls_truststore: unknown streamtype key 'tls_truststore'; did you mean "
						+ "tls_trust_store?",
				"t.json:4:77: s[0].st.mqtt_qos: expected an integer 0..2, got 5",
				"t.json:5:18: s[0].st2.retry: no retry scheme named 'none' in retry",
				"t.json:5:38: s[0].st2.protocol: expected one of h1, h2, h3, ws, mqtt, raw, got a string \"ws2\"");
	}

	@Test
	void syntaxErrorIsReportedAfterTheErrorsBeforeIt() {
		String document = "{'release': [],\n's': [{'st': {'port': -1,\n'tls': tru}}]}";
		assertThat(problems(document)).extracting(PolicyProblem::format).containsExactly(
				"t.json:1:13: release: expected a string or a number, got an array",
				"t.json:2:23: s[0].st.port: expected an integer 0..65535, got -1",
				"t.json:3:8: s[0].st.tls: invalid JSON: Unrecognized token 'tru': was expecting (JSON String, Number, "
						+ "Array, Object or token 'null', 'true' or 'false')");
	}

	@Test
	void secretsAreNeverEchoed() {
		String document = "{'certs': [{'c': 'KEY!'}, {'d': ['KEY']}], 'release': KEY}";
		List<PolicyProblem> problems = problems(document);
		assertThat(problems).hasSize(3);
		assertThat(problems).allSatisfy((problem) -> assertThat(problem.format()).doesNotContain(KEY.substring(0, 20)));
	}

	@Test
	void exceptionMessageListsEveryError() {
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> new PolicyParser().parse("t.json",
					"{\"a\": 1, \"b\": 2}".getBytes(StandardCharsets.UTF_8)))
			.withMessage("invalid policy (2 errors):\nt.json:1:2: a: unknown top-level key 'a'\n"
					+ "t.json:1:10: b: unknown top-level key 'b'");
	}

}
