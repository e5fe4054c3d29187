package io.securestreams.policy.json;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import io.securestreams.policy.AuthScheme;
import io.securestreams.policy.HttpResponseMapping;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.MetricsPolicy;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyCertificate;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.ServerOption;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.TrustStore;

/**
 * Builds random valid policies from a seed: every streamtype key may be set, references point
 * at existing entries, and strings include quotes, backslashes, control and non-ASCII
 * characters.
 */
public final class RandomPolicies {

	private static final String[] TEXT = { "a", "Z", "0", "-", "_", ".", "/", " ", "\"", "\\", "\n", "\t", "\u0001",
			"\u00e9", "\u4e2d", "\uD83D\uDE00", "${md0}", "'", "\u2028" };

	private final Random random;

	private final Policy certificates = PolicyFixtures.parse("server__hello_world__example-policy.json");

	public RandomPolicies(long seed) {
		this.random = new Random(seed);
	}

	/**
	 * Creates a policy.
	 * @param streamTypes how many streamtypes it has
	 * @return a valid policy
	 */
	public Policy policy(int streamTypes) {
		PolicyFragment fragment = new PolicyFragment();
		if (this.random.nextBoolean()) {
			fragment.release(text(8))
				.product(text(8))
				.schemaVersion(this.random.nextInt(5))
				.viaSocks5("127.0.0.1:1080");
		}
		List<String> retries = names("retry", 1 + this.random.nextInt(3));
		for (String name : retries) {
			List<Integer> backoff = new ArrayList<>();
			for (int i = this.random.nextInt(12); i > 0; i--) {
				backoff.add(this.random.nextInt(100_000));
			}
			fragment.retry(new RetryPolicy(name, backoff, this.random.nextInt(65536),
					this.random.nextBoolean() ? this.random.nextInt(101) : null, this.random.nextInt(65536),
					this.random.nextInt(65536)));
		}
		PolicyCertificate cert = this.certificates.certs().get("self_localhost");
		PolicyCertificate root = this.certificates.certs().get("isrg_root_x1");
		PolicyCertificate key = this.certificates.certs().get("self_localhost_key");
		fragment.certificate(PolicyCertificate.fromDer("cert \u00e9\"1", cert.der()))
			.certificate(PolicyCertificate.fromDer("root", root.der()))
			.certificate(PolicyCertificate.fromDer("key", key.der()))
			.trustStore(new TrustStore("store", List.of("root", "cert \u00e9\"1")))
			.trustStore(new TrustStore("store2", List.of("root")));
		List<String> names = names("st", streamTypes);
		fragment.auth(new AuthScheme("auth", "sigv4", names.get(0), this.random.nextInt(4)));
		fragment.auth(new AuthScheme("auth2", "lwa", null, 0));
		if (this.random.nextBoolean()) {
			fragment.metrics(List.of(new MetricsPolicy("m", this.random.nextInt(Integer.MAX_VALUE), 5, 6, names.get(0)),
					new MetricsPolicy("m2", 0, 0, 0, null)));
		}
		for (String name : names) {
			StreamTypePolicy.Builder builder = fragment.streamType(name);
			for (StreamTypeKey streamTypeKey : StreamTypeKey.values()) {
				if (this.random.nextInt(3) == 0) {
					builder.set(streamTypeKey, value(streamTypeKey, names, retries));
				}
			}
			// A server's key must be its certificate's: "key" is the localhost certificate's.
			if (builder.isSet(StreamTypeKey.SERVER_KEY) && "root".equals(builder.get(StreamTypeKey.SERVER_CERT))) {
				builder.set(StreamTypeKey.SERVER_CERT, "cert \u00e9\"1");
			}
			if (builder.isSet(StreamTypeKey.AWS_REGION) || builder.isSet(StreamTypeKey.AWS_SERVICE)) {
				builder.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("md0", "")));
			}
		}
		return fragment.build();
	}

	private Object value(StreamTypeKey key, List<String> streamTypes, List<String> retries) {
		StreamTypeKey.Reference reference = key.reference();
		if (reference != null) {
			return switch (reference) {
				case RETRY -> pick(retries);
				case TRUST_STORE -> pick(List.of("store", "store2"));
				case AUTH -> pick(List.of("auth", "auth2"));
				case CERTIFICATE -> pick(List.of("root", "cert \u00e9\"1"));
				case PRIVATE_KEY -> "key";
				case STREAMTYPE -> pick(streamTypes);
				case METADATA_NAME -> "md0";
			};
		}
		return switch (key.type()) {
			case BOOLEAN -> this.random.nextBoolean();
			// An endpoint is refused with white space around it.
			case STRING -> (key == StreamTypeKey.ENDPOINT) ? "e" + text(this.random.nextInt(11)) + "e"
					: text(1 + this.random.nextInt(12));
			case HTTP_TOKEN -> pick(List.of("GET", "POST", "lws-mirror-protocol", "x"));
			case HTTP_TOKEN_LIST -> pick(List.of("lws-mirror-protocol", "x", "a,b", "chat, superchat"));
			case HEADER_NAME -> "x-h" + this.random.nextInt(100) + ":";
			case INTEGER -> (int) between(Math.max(key.min(), (key == StreamTypeKey.PORT) ? 1 : key.min()), key.max());
			case LONG -> between(key.min(), key.max());
			case PROTOCOL -> pick(List.of(Protocol.values()));
			case HOST_PORT -> "[::1]:" + (1 + this.random.nextInt(65535));
			case METADATA -> {
				List<MetadataDeclaration> metadata = new ArrayList<>();
				List<String> names = names("md", this.random.nextInt(5));
				for (int i = 0; i < names.size(); i++) {
					metadata.add(new MetadataDeclaration(names.get(i),
							this.random.nextBoolean() ? "" : "x-md" + i + ":"));
				}
				yield metadata;
			}
			case RESPONSE_MAP -> List.of(new HttpResponseMapping(530, 1530),
					new HttpResponseMapping(100 + this.random.nextInt(400), 7));
			case OPTIONS -> List.of(new ServerOption(text(3), text(4)), new ServerOption("n", "1"));
		};
	}

	private long between(long min, long max) {
		long span = max - min + 1;
		return min + Math.floorMod(this.random.nextLong(), span);
	}

	private <T> T pick(List<T> values) {
		return values.get(this.random.nextInt(values.size()));
	}

	private List<String> names(String prefix, int count) {
		Set<String> names = new LinkedHashSet<>();
		while (names.size() < count) {
			names.add(prefix + names.size() + (this.random.nextInt(4) == 0 ? "-\u00e9.x" : ""));
		}
		return List.copyOf(names);
	}

	private String text(int length) {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < length; i++) {
			text.append(TEXT[this.random.nextInt(TEXT.length)]);
		}
		return text.toString();
	}

}
