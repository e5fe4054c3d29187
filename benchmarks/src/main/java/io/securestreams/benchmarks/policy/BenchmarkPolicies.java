package io.securestreams.benchmarks.policy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Generates a large, realistic policy: a few retry schemes, certificates and trust stores, and
 * many streamtypes of every protocol with the keys real policies use.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class BenchmarkPolicies {

	private static final String[] PROTOCOLS = { "h1", "h2", "ws", "mqtt" };

	private BenchmarkPolicies() {
	}

	/**
	 * Generates the policy JSON.
	 * @param streamTypes how many streamtypes
	 * @return UTF-8 JSON
	 */
	public static byte[] generate(int streamTypes) {
		StringBuilder json = new StringBuilder(streamTypes * 600);
		json.append("{\n\t\"release\": \"01234567\",\n\t\"product\": \"benchmark\",\n\t\"schema-version\": 1,\n");
		json.append("\t\"retry\": [");
		for (int i = 0; i < 3; i++) {
			json.append((i > 0) ? ", " : "").append("{\"retry").append(i)
				.append("\": {\"backoff\": [1000, 2000, 3000, 5000, 10000], \"conceal\": 5, \"jitterpc\": 20, "
						+ "\"svalidping\": 30, \"svalidhup\": 35}}");
		}
		json.append("],\n\t\"certs\": [");
		for (int i = 0; i < 3; i++) {
			json.append((i > 0) ? ", " : "").append("{\"ca").append(i).append("\": \"").append(selfSignedCertificate(i))
				.append("\"}");
		}
		json.append("],\n\t\"trust_stores\": [{\"name\": \"store0\", \"stack\": [\"ca0\", \"ca1\"]}, ")
			.append("{\"name\": \"store1\", \"stack\": [\"ca2\"]}],\n\t\"s\": [");
		for (int i = 0; i < streamTypes; i++) {
			json.append((i > 0) ? ",\n" : "\n");
			streamType(json, i);
		}
		return json.append("\n\t]\n}\n").toString().getBytes(StandardCharsets.UTF_8);
	}

	private static void streamType(StringBuilder json, int i) {
		String protocol = PROTOCOLS[i % PROTOCOLS.length];
		json.append("\t\t{\"stream_").append(i).append("\": {\n");
		json.append("\t\t\t\"endpoint\": \"${region}.service").append(i).append(".example.com\",\n");
		json.append("\t\t\t\"port\": 443,\n\t\t\t\"protocol\": \"").append(protocol).append("\",\n");
		json.append("\t\t\t\"tls\": true,\n\t\t\t\"tls_trust_store\": \"store").append(i % 2).append("\",\n");
		json.append("\t\t\t\"retry\": \"retry").append(i % 3).append("\",\n");
		json.append("\t\t\t\"").append((i % 2 == 0) ? "opportunistic" : "nailed_up").append("\": true,\n");
		json.append("\t\t\t\"timeout_ms\": 2000,\n");
		json.append("\t\t\t\"metadata\": [{\"region\": \"\"}, {\"ctype\": \"content-type:\"}, "
				+ "{\"xid\": \"x-id:\"}],\n");
		switch (protocol) {
			case "h1", "h2" -> json.append("\t\t\t\"http_method\": \"POST\",\n"
					+ "\t\t\t\"http_url\": \"api/v1/items?id=${xid}\",\n")
				.append("\t\t\t\"http_auth_header\": \"authorization:\",\n\t\t\t\"http_auth_preamble\": \"Bearer \",\n")
				.append("\t\t\t\"http_resp_map\": [{\"530\": 1530}, {\"531\": 1531}],\n"
						+ "\t\t\t\"allow_redirects\": true\n");
			case "ws" -> json.append("\t\t\t\"http_url\": \"stream\",\n"
					+ "\t\t\t\"ws_subprotocol\": \"lws-mirror-protocol\",\n")
				.append("\t\t\t\"ws_binary\": true\n");
			default -> json.append("\t\t\t\"mqtt_topic\": \"devices/${xid}/up\",\n"
					+ "\t\t\t\"mqtt_subscribe\": \"devices/${xid}/down\",\n")
				.append("\t\t\t\"mqtt_qos\": 1,\n\t\t\t\"mqtt_keep_alive\": 60,\n\t\t\t\"mqtt_clean_start\": true\n");
		}
		json.append("\t\t}}");
	}

	private static String selfSignedCertificate(int serial) {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"));
			KeyPair pair = generator.generateKeyPair();
			X500Name name = new X500Name("CN=Benchmark CA " + serial);
			Date notBefore = new Date(0);
			Date notAfter = new Date(4102444800000L);
			byte[] der = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(serial + 1), notBefore, notAfter,
					name, pair.getPublic())
				.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()))
				.getEncoded();
			return Base64.getEncoder().encodeToString(der);
		}
		catch (Exception ex) {
			throw new IllegalStateException("cannot create a benchmark certificate", ex);
		}
	}

}
