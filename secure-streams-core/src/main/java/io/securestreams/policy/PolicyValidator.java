package io.securestreams.policy;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

import io.securestreams.pki.KeyPairCheck;
import io.securestreams.policy.StreamTypeKey.Reference;
import org.jspecify.annotations.Nullable;

/**
 * Checks the rules that span more than one value of a policy: every reference names an
 * existing entry of the right kind, with exact names (the C parser's prefix match is a bug we
 * do not copy). The list-returning methods give problems logical paths such as
 * {@code s.mintest.retry}; the JSON reader takes them through a {@link PolicyProblemSink} instead, with
 * the entry at fault named apart from the key, and locates them in its document.
 * <p>
 * Stateless: every method may be called from any thread.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class PolicyValidator {

	// Only these keys can dangle; looking at the others for every streamtype is wasted work.
	private static final List<StreamTypeKey> REFERENCE_KEYS = Arrays.stream(StreamTypeKey.values())
		.filter((key) -> key.reference() != null)
		.toList();

	private PolicyValidator() {
	}

	/**
	 * Validates a policy.
	 * @param policy the policy
	 * @return the errors, empty when the policy is valid
	 */
	public static List<PolicyProblem> validate(Policy policy) {
		return validate(policy, (streamType) -> true);
	}

	/**
	 * Validates a policy whose reader has already resolved some streamtypes' references: a JSON
	 * reader that enforces definition-before-reference knows, for most streamtypes of a large
	 * policy, that every name they use is defined, and checking them again only walks records
	 * that are no longer in the CPU caches. Everything that is not a streamtype reference is
	 * validated as by {@link #validate(Policy)}.
	 * @param policy the policy
	 * @param checkReferences whether a streamtype's references still need checking; it must accept
	 * every streamtype with a reference that is not known to resolve to an entry of the right kind
	 * @return the errors, empty when the policy is valid
	 */
	public static List<PolicyProblem> validate(Policy policy, Predicate<StreamTypePolicy> checkReferences) {
		PolicyProblemList problems = new PolicyProblemList();
		validate(policy, checkReferences, problems);
		return problems.problems;
	}

	/**
	 * Validates a policy as {@link #validate(Policy, Predicate)} does, handing each problem to a
	 * sink with the entry at fault named apart from the key: a JSON reader locates it from these
	 * without parsing a logical path, in which a name holding a dot reads as a name and a key
	 * (streamtype {@code a}'s key {@code port} and streamtype {@code a.port} are both
	 * {@code s.a.port}), and without building a path that holds the entry's name for each problem.
	 * @param policy the policy
	 * @param checkReferences whether a streamtype's references still need checking
	 * @param sink receives the errors
	 */
	public static void validate(Policy policy, Predicate<StreamTypePolicy> checkReferences, PolicyProblemSink sink) {
		for (TrustStore store : policy.trustStores().values()) {
			List<String> names = store.certificateNames();
			for (int i = 0; i < names.size(); i++) {
				String message = certificateProblem(policy, names.get(i), Reference.CERTIFICATE);
				if (message != null) {
					sink.stackEntry(store.name(), i, message);
				}
			}
		}
		for (AuthScheme scheme : policy.auth().values()) {
			if (scheme.streamType() != null && policy.streamType(scheme.streamType()) == null) {
				sink.authStreamType(scheme.name(), "no streamtype named '" + scheme.streamType() + "' in s");
			}
		}
		for (MetricsPolicy metrics : policy.metrics()) {
			if (metrics.report() != null && policy.streamType(metrics.report()) == null) {
				sink.metricsReport(metrics.name(), "no streamtype named '" + metrics.report() + "' in s");
			}
		}
		for (StreamTypePolicy streamType : policy.streamTypes().values()) {
			// Not a reference check the reader has made: an overlay may name another key or
			// replace either entry, and the reader only checks what each one is.
			if (streamType.server() && streamType.tls().serverKey() != null) {
				checkServerKeyPair(policy, streamType, sink);
			}
			String endpoint = streamType.endpoint();
			if (endpoint != null && hasOuterSpace(endpoint)) {
				sink.streamTypeKey(streamType.name(), StreamTypeKey.ENDPOINT, "'" + endpoint
						+ "' has white space around it, which no host name, address or URL has");
			}
			if (!checkReferences.test(streamType)) {
				continue;
			}
			for (StreamTypeKey key : REFERENCE_KEYS) {
				Reference reference = key.reference();
				Object value = referenceValue(streamType, key);
				if (reference != null && value != null) {
					checkReference(policy, streamType, key, reference, (String) value, sink);
				}
			}
		}
	}

	// A host name, address or URL with white space around it (a copy-paste) was only refused when
	// a stream connected, as an unknown host. A Unix socket path (+/path, +@name) may hold any
	// byte but NUL, and is taken as written.
	private static boolean hasOuterSpace(String endpoint) {
		if (endpoint.isEmpty() || endpoint.charAt(0) == '+') {
			return false;
		}
		return isSpace(endpoint.charAt(0)) || isSpace(endpoint.charAt(endpoint.length() - 1));
	}

	// Also the no-break and typographic spaces a copy from a document brings along.
	private static boolean isSpace(char c) {
		return Character.isWhitespace(c) || Character.isSpaceChar(c);
	}

	// The reference keys' getters directly: through the keys' getter functions this is one
	// megamorphic call per key and streamtype; any other key still goes through its getter.
	private static @Nullable Object referenceValue(StreamTypePolicy streamType, StreamTypeKey key) {
		return switch (key) {
			case RETRY -> streamType.retry();
			case RIDESHARE -> streamType.rideshare();
			case USE_AUTH -> streamType.useAuth();
			case AWS_REGION -> streamType.awsRegion();
			case AWS_SERVICE -> streamType.awsService();
			case TLS_TRUST_STORE -> streamType.tls().trustStore();
			case SERVER_CERT -> streamType.tls().serverCert();
			case SERVER_KEY -> streamType.tls().serverKey();
			default -> key.get(streamType);
		};
	}

	/**
	 * Returns the logical path of a streamtype key, as used in problems.
	 * @param streamType the streamtype name
	 * @param key the key
	 * @return for example {@code s.mintest.retry}
	 */
	public static String path(String streamType, StreamTypeKey key) {
		return "s." + streamType + "." + key.jsonName();
	}

	/**
	 * Returns the logical path of an entry of a trust store's stack, as used in problems.
	 * @param trustStore the trust store's name
	 * @param index the entry's index
	 * @return for example {@code trust_stores.ca.stack[0]}
	 */
	public static String stackPath(String trustStore, int index) {
		return "trust_stores." + trustStore + ".stack[" + index + "]";
	}

	/**
	 * Returns the logical path of an auth scheme's {@code streamtype}, as used in problems.
	 * @param scheme the auth scheme's name
	 * @return for example {@code auth.sigv4.streamtype}
	 */
	public static String authStreamTypePath(String scheme) {
		return "auth." + scheme + ".streamtype";
	}

	/**
	 * Returns the logical path of a metrics policy's {@code report}, as used in problems.
	 * @param metrics the metrics policy's name
	 * @return for example {@code metrics.m.report}
	 */
	public static String metricsReportPath(String metrics) {
		return "metrics." + metrics + ".report";
	}

	private static void checkReference(Policy policy, StreamTypePolicy streamType, StreamTypeKey key,
			Reference reference, String name, PolicyProblemSink sink) {
		String missing = switch (reference) {
			case RETRY -> policy.retry().containsKey(name) ? null : "no retry scheme named '" + name + "' in retry";
			case TRUST_STORE -> policy.trustStores().containsKey(name) ? null
					: "no trust store named '" + name + "' in trust_stores";
			case AUTH -> policy.auth().containsKey(name) ? null : "no auth scheme named '" + name + "' in auth";
			case STREAMTYPE -> (policy.streamType(name) != null) ? null : "no streamtype named '" + name + "' in s";
			case METADATA_NAME -> (streamType.metadata(name) != null) ? null
					: "'" + name + "' is not a metadata name declared by streamtype '" + streamType.name() + "'";
			case CERTIFICATE, PRIVATE_KEY -> null;
		};
		if (missing != null) {
			sink.streamTypeKey(streamType.name(), key, missing);
		}
		if (reference == Reference.CERTIFICATE || reference == Reference.PRIVATE_KEY) {
			String message = certificateProblem(policy, name, reference);
			if (message != null) {
				sink.streamTypeKey(streamType.name(), key, message);
			}
		}
	}

	// A pair a listener could never be made of is refused with the policy, where the key is named,
	// rather than each time the listener is created (which checks it again, for built policies).
	private static void checkServerKeyPair(Policy policy, StreamTypePolicy streamType, PolicyProblemSink sink) {
		String certName = streamType.tls().serverCert();
		String keyName = streamType.tls().serverKey();
		PolicyCertificate cert = (certName != null) ? policy.certs().get(certName) : null;
		PolicyCertificate key = policy.certs().get(keyName);
		if (cert != null && key != null && cert.kind() == PolicyCertificate.Kind.CERTIFICATE
				&& key.kind() == PolicyCertificate.Kind.PRIVATE_KEY
				&& !KeyPairCheck.matches(cert.certificate().getPublicKey(), key.privateKey())) {
			sink.streamTypeKey(streamType.name(), StreamTypeKey.SERVER_KEY,
					"the private key '" + keyName + "' does not belong to the certificate '" + certName + "' ("
							+ cert.certificate().getSubjectX500Principal() + ")");
		}
	}

	private static @Nullable String certificateProblem(Policy policy, String name, Reference expected) {
		PolicyCertificate cert = policy.certs().get(name);
		if (cert == null) {
			return "no entry named '" + name + "' in certs";
		}
		if (expected == Reference.CERTIFICATE && cert.kind() != PolicyCertificate.Kind.CERTIFICATE) {
			return "certs entry '" + name + "' is a private key, but a certificate is needed here";
		}
		if (expected == Reference.PRIVATE_KEY && cert.kind() != PolicyCertificate.Kind.PRIVATE_KEY) {
			return "certs entry '" + name + "' is a certificate, but a private key is needed here";
		}
		return null;
	}

	/**
	 * Checks rules that depend on which keys a streamtype sets, not only on their values.
	 * @param builder the streamtype's keys
	 * @return the errors, each with the logical path of the key at fault
	 */
	public static List<PolicyProblem> validateKeys(StreamTypePolicy.Builder builder) {
		PolicyProblemList problems = new PolicyProblemList();
		validateKeys(builder, problems);
		return problems.problems;
	}

	/**
	 * Checks rules that depend on which keys a streamtype sets, handing each error to a sink.
	 * @param builder the streamtype's keys
	 * @param sink receives the errors
	 */
	public static void validateKeys(StreamTypePolicy.Builder builder, PolicyProblemSink sink) {
		boolean server = Boolean.TRUE.equals(builder.get(StreamTypeKey.SERVER));
		Object port = builder.get(StreamTypeKey.PORT);
		if (!server && builder.isSet(StreamTypeKey.PORT) && Integer.valueOf(0).equals(port)) {
			sink.streamTypeKey(builder.name(), StreamTypeKey.PORT,
					"expected an integer 1..65535 for a client streamtype, got 0");
		}
	}

	/**
	 * Throws when there are errors.
	 * @param problems the problems found
	 * @throws PolicyException if any is an error
	 */
	public static void throwIfErrors(List<PolicyProblem> problems) {
		List<PolicyProblem> errors = problems.stream()
			.filter((problem) -> problem.severity() == PolicyProblem.Severity.ERROR)
			.toList();
		if (!errors.isEmpty()) {
			throw new PolicyException(errors);
		}
	}

}
