package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Every libwebsockets example policy parses, with exactly the streamtypes it defines.
 */
class PolicyParserFixturesTests {

	static List<String> fixtures() {
		return PolicyFixtures.names();
	}

	@Test
	void everyFixtureHasExpectedNames() {
		assertThat(PolicyFixtures.names()).containsExactlyInAnyOrderElementsOf(PolicyFixtures.STREAMTYPES.keySet());
	}

	@ParameterizedTest
	@MethodSource("fixtures")
	void fixtureParsesWithItsStreamtypes(String name) {
		ParsedPolicy parsed = new PolicyParser().parse(name, PolicyFixtures.load(name));
		assertThat(parsed.policy().streamTypes().keySet())
			.containsExactlyInAnyOrderElementsOf(PolicyFixtures.STREAMTYPES.get(name));
	}

	@Test
	void staticPolicyDetails() {
		String name = "secure-streams__minimal-secure-streams-staticpolicy__static-policy.json";
		ParsedPolicy parsed = new PolicyParser().parse(name, PolicyFixtures.load(name));
		Policy policy = parsed.policy();
		assertThat(policy.release()).isEqualTo("01234567");
		assertThat(policy.schemaVersion()).isEqualTo(1);
		assertThat(policy.retry().get("default").backoffMs()).containsExactly(1000, 2000, 3000, 5000, 10000);
		assertThat(policy.certs()).hasSize(8);
		assertThat(policy.trustStores().get("mqtt_amz_iot").certificateNames()).containsExactly("amazon_root_ca_1",
				"starfield_class_2_ca", "starfield_services_root_ca");
		assertThat(policy.trustAnchors("le_via_isrg")).hasSize(2);
		StreamTypePolicy mintest = policy.streamType("mintest");
		assertThat(mintest.metadata()).extracting("name").containsExactly("uptag", "ctype", "xctype");
		assertThat(mintest.http().dsnHeader()).isEqualTo("x-dsn:");
		assertThat(policy.streamType("avs_metadata").rideshare()).isEqualTo("avs_audio");
		assertThat(policy.streamType("avs_metadata").http().mimeContentType())
			.isEqualTo("application/json; charset=UTF-8");
		assertThat(policy.streamType("mqtt_test1").protocol()).isEqualTo(Protocol.MQTT);
		assertThat(policy.streamType("mqtt_test1").mqtt().qos()).isEqualTo(1);
		assertThat(policy.streamType("mqtt_test").tls().clientCert()).isZero();
		assertThat(policy.streamType("captive_portal_detect").http().expect()).isEqualTo(204);
		assertThat(policy.streamType("captive_portal_detect").http().failRedirect()).isTrue();
		// "plugins": [] appears in several streamtypes: each one is a warning, nothing else.
		assertThat(parsed.warnings()).isNotEmpty().allSatisfy((warning) -> {
			assertThat(warning.severity()).isEqualTo(PolicyProblem.Severity.WARNING);
			assertThat(warning.message()).isEqualTo("'plugins' is deprecated and ignored");
		});
	}

	@Test
	void readmeExampleParsesOnceItsElidedCertificatesAreReal() throws Exception {
		byte[] printed = PolicyFixtures.class.getResourceAsStream("/policies/readme-example.json").readAllBytes();
		String text = new String(printed, StandardCharsets.UTF_8);
		// As printed, the elided base64 is rejected, in place, without echoing it.
		assertThatExceptionOfType(PolicyException.class).isThrownBy(() -> new PolicyParser().parse("README", printed))
			.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
				.containsExactly("README:13:19: certs[0].isrg_root_x1: expected base64 DER (the text between the PEM "
						+ "BEGIN and END lines), got a string that is not valid base64",
						"README:15:24: certs[1].LEX3_isrg_root_x1: expected base64 DER (the text between the PEM BEGIN "
								+ "and END lines), got a string that is not valid base64"));
		Policy certs = PolicyFixtures.parse("secure-streams__minimal-secure-streams-staticpolicy__static-policy.json");
		String real = text.replace("\"MIIFazCCA1OgAw...AnX5iItreGCc=\"", quotedBase64(certs, "isrg_root_x1"))
			.replace("\"MIIFjTCCA3WgAwIB...WEsikxqEt\"", quotedBase64(certs, "LEX3_isrg_root_x2"));
		assertThat(real).doesNotContain("...");

		ParsedPolicy parsed = new PolicyParser().parse("README", real.getBytes(StandardCharsets.UTF_8));

		Policy policy = parsed.policy();
		assertThat(policy.streamTypes().keySet()).containsExactly("mintest");
		assertThat(policy.trustStores().get("le_via_isrg").certificateNames()).containsExactly("isrg_root_x1",
				"LEX3_isrg_root_x1");
		StreamTypePolicy mintest = policy.streamType("mintest");
		assertThat(mintest.protocol()).isEqualTo(Protocol.H1);
		assertThat(mintest.http().method()).isEqualTo("GET");
		assertThat(mintest.port()).isEqualTo(4443);
		assertThat(mintest.tls().trustStore()).isEqualTo("le_via_isrg");
		assertThat(policy.retry().get("default").jitterPercent()).isEqualTo(20);
		assertThat(parsed.warnings()).extracting(PolicyProblem::format)
			.containsExactly("README:24:16: s[0].mintest.protocol: warning: \"h1get\" is deprecated; read as \"h1\" "
					+ "with http_method GET", "README:25:4: s[0].mintest.aux: warning: 'aux' is deprecated and ignored",
					"README:26:4: s[0].mintest.plugins: warning: 'plugins' is deprecated and ignored");
	}

	private static String quotedBase64(Policy policy, String cert) {
		return "\"" + Base64.getEncoder().encodeToString(policy.certs().get(cert).der()) + "\"";
	}

	@Test
	void serverPolicyHasKeyAndMultiNameMetadata() {
		Policy policy = PolicyFixtures.parse("server__hello_world__example-policy.json");
		StreamTypePolicy server = policy.streamType("myserver");
		assertThat(server.server()).isTrue();
		assertThat(server.tls().serverKey()).isEqualTo("self_localhost_key");
		assertThat(policy.certs().get("self_localhost_key").kind())
			.isEqualTo(io.securestreams.policy.PolicyCertificate.Kind.PRIVATE_KEY);
		assertThat(server.metadata()).extracting("name").containsExactly("mime", "method", "path", "my_arg");
		assertThat(policy.streamType("ota").metadata()).extracting("name").containsExactly("ota_variant", "file");
	}

	@Test
	void sigv4PolicyHasAuth() {
		Policy policy = PolicyFixtures.parse("secure-streams__minimal-secure-streams-sigv4__policy.json");
		assertThat(policy.auth().get("sigv4_br").type()).isEqualTo("sigv4");
		StreamTypePolicy put = policy.streamType("s3PutObj");
		assertThat(put.useAuth()).isEqualTo("sigv4_br");
		assertThat(put.awsRegion()).isEqualTo("region");
		assertThat(put.metadata()).hasSize(8);
	}

}
