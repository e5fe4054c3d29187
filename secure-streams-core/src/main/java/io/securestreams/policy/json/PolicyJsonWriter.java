package io.securestreams.policy.json;

import java.io.StringWriter;
import java.util.Base64;

import io.securestreams.policy.AuthScheme;
import io.securestreams.policy.MetricsPolicy;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyCertificate;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.TrustStore;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a policy as canonical JSON: sections in the order {@code release}, {@code product},
 * {@code schema-version}, {@code via-socks5}, {@code retry}, {@code certs}, {@code trust_stores}
 * (lws {@code name}/{@code stack} form), {@code auth}, {@code metrics}, {@code s}; one object per
 * streamtype with its keys in {@link io.securestreams.policy.StreamTypeKey} order and only the
 * values that differ from their defaults. The same policy always gives the same text, which
 * {@link PolicyParser} reads back to an equal policy.
 * <p>
 * Instances are stateless and thread-safe.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class PolicyJsonWriter {

	/** What replaces every {@code certs} value when secrets are redacted. */
	public static final String REDACTED = "<redacted>";

	private static final ObjectWriter WRITER = JsonMapper.builder().build().writer().withDefaultPrettyPrinter();

	/**
	 * Writes a policy.
	 * @param policy the policy
	 * @param redactSecrets whether to replace certificates and keys by {@value #REDACTED} (the
	 * result is then for display only and does not parse back)
	 * @return the JSON text
	 */
	public String write(Policy policy, boolean redactSecrets) {
		StringWriter out = new StringWriter();
		try (JsonGenerator json = WRITER.createGenerator(out)) {
			json.writeStartObject();
			if (policy.release() != null) {
				json.writeStringProperty("release", policy.release());
			}
			if (policy.product() != null) {
				json.writeStringProperty("product", policy.product());
			}
			if (policy.schemaVersion() != null) {
				json.writeNumberProperty("schema-version", policy.schemaVersion());
			}
			if (policy.viaSocks5() != null) {
				json.writeStringProperty("via-socks5", policy.viaSocks5());
			}
			writeRetry(json, policy);
			writeCerts(json, policy, redactSecrets);
			writeTrustStores(json, policy);
			writeAuth(json, policy);
			writeMetrics(json, policy);
			if (!policy.streamTypes().isEmpty()) {
				json.writeArrayPropertyStart("s");
				for (StreamTypePolicy streamType : policy.streamTypes().values()) {
					json.writeStartObject();
					json.writeName(streamType.name());
					StreamTypeJsonWriter.write(json, streamType);
					json.writeEndObject();
				}
				json.writeEndArray();
			}
			json.writeEndObject();
		}
		return out.toString();
	}

	private static void writeRetry(JsonGenerator json, Policy policy) {
		if (policy.retry().isEmpty()) {
			return;
		}
		json.writeArrayPropertyStart("retry");
		for (RetryPolicy retry : policy.retry().values()) {
			json.writeStartObject();
			json.writeObjectPropertyStart(retry.name());
			json.writeArrayPropertyStart("backoff");
			for (int delay : retry.backoffMs()) {
				json.writeNumber(delay);
			}
			json.writeEndArray();
			json.writeNumberProperty("conceal", retry.conceal());
			if (retry.jitterPercent() != null) {
				json.writeNumberProperty("jitterpc", retry.jitterPercent());
			}
			json.writeNumberProperty("svalidping", retry.validPingSeconds());
			json.writeNumberProperty("svalidhup", retry.validHangupSeconds());
			json.writeEndObject();
			json.writeEndObject();
		}
		json.writeEndArray();
	}

	private static void writeCerts(JsonGenerator json, Policy policy, boolean redact) {
		if (policy.certs().isEmpty()) {
			return;
		}
		json.writeArrayPropertyStart("certs");
		for (PolicyCertificate cert : policy.certs().values()) {
			json.writeStartObject();
			json.writeStringProperty(cert.name(), redact ? REDACTED : Base64.getEncoder().encodeToString(cert.der()));
			json.writeEndObject();
		}
		json.writeEndArray();
	}

	private static void writeTrustStores(JsonGenerator json, Policy policy) {
		if (policy.trustStores().isEmpty()) {
			return;
		}
		json.writeArrayPropertyStart("trust_stores");
		for (TrustStore store : policy.trustStores().values()) {
			json.writeStartObject();
			json.writeStringProperty("name", store.name());
			json.writeArrayPropertyStart("stack");
			for (String cert : store.certificateNames()) {
				json.writeString(cert);
			}
			json.writeEndArray();
			json.writeEndObject();
		}
		json.writeEndArray();
	}

	private static void writeAuth(JsonGenerator json, Policy policy) {
		if (policy.auth().isEmpty()) {
			return;
		}
		json.writeArrayPropertyStart("auth");
		for (AuthScheme auth : policy.auth().values()) {
			json.writeStartObject();
			json.writeStringProperty("name", auth.name());
			json.writeStringProperty("type", auth.type());
			if (auth.streamType() != null) {
				json.writeStringProperty("streamtype", auth.streamType());
			}
			json.writeNumberProperty("blob", auth.blob());
			json.writeEndObject();
		}
		json.writeEndArray();
	}

	private static void writeMetrics(JsonGenerator json, Policy policy) {
		if (policy.metrics().isEmpty()) {
			return;
		}
		json.writeArrayPropertyStart("metrics");
		for (MetricsPolicy metrics : policy.metrics()) {
			json.writeStartObject();
			json.writeStringProperty("name", metrics.name());
			json.writeNumberProperty("us_schedule", metrics.usSchedule());
			json.writeNumberProperty("us_halflife", metrics.usHalflife());
			json.writeNumberProperty("min_outlier", metrics.minOutlier());
			if (metrics.report() != null) {
				json.writeStringProperty("report", metrics.report());
			}
			json.writeEndObject();
		}
		json.writeEndArray();
	}

}
