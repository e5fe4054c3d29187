package io.securestreams.boot.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

import io.securestreams.boot.autoconfigure.SecureStreamsProperties.Auth;
import io.securestreams.boot.autoconfigure.SecureStreamsProperties.Cert;
import io.securestreams.boot.autoconfigure.SecureStreamsProperties.Metrics;
import io.securestreams.boot.autoconfigure.SecureStreamsProperties.PolicyProperties;
import io.securestreams.boot.autoconfigure.SecureStreamsProperties.Retry;
import io.securestreams.boot.autoconfigure.SecureStreamsProperties.StreamType;
import io.securestreams.pki.KeyMaterial;
import io.securestreams.policy.AuthScheme;
import io.securestreams.policy.MetricsPolicy;
import io.securestreams.policy.PolicyCertificate;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.StreamTypeValues;
import io.securestreams.policy.TrustStore;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.core.io.Resource;

/**
 * Maps the typed policy properties onto a core {@link PolicyFragment}. Every value that the
 * policy model refuses becomes a {@link PolicyProblem} named after its property and located at
 * the property's origin; all of them are collected rather than stopping at the first.
 *
 * @author Secure Streams contributors
 */
final class PolicyPropertiesMapper {

	static final String PREFIX = "secure-streams.policy";

	private final PropertyLocator locator;

	private final List<PolicyProblem> problems = new ArrayList<>();

	// The properties of the section entries left out for a bad value of theirs.
	private final Set<String> refused = new HashSet<>();

	PolicyPropertiesMapper(PropertyLocator locator) {
		this.locator = locator;
	}

	/**
	 * Maps the properties.
	 * @param properties the bound policy properties
	 * @return the fragment; check {@link #problems()} before using it
	 */
	PolicyFragment map(PolicyProperties properties) {
		PolicyFragment fragment = new PolicyFragment();
		PropertyMapper map = PropertyMapper.get();
		map.from(properties::getRelease).to(fragment::release);
		map.from(properties::getProduct).to(fragment::product);
		// Checked as the JSON reader checks the same keys.
		map.from(properties::getSchemaVersion)
			.to((version) -> attempt(PREFIX + ".schema-version",
					() -> fragment.schemaVersion((int) StreamTypeValues.integral(version, 0, Integer.MAX_VALUE))));
		map.from(properties::getViaSocks5)
			.to((socks) -> attempt(PREFIX + ".via-socks5",
					() -> fragment.viaSocks5((String) StreamTypeKey.VIA_SOCKS5.check(socks))));
		properties.getRetry().forEach((name, retry) -> entry(property("retry", name), (property) -> {
			boolean validPing = wholeSeconds(property + ".valid-ping", retry.getValidPing());
			boolean validHangup = wholeSeconds(property + ".valid-hangup", retry.getValidHangup());
			if (validPing && validHangup && retryValues(property, name, retry)) {
				attempt(property, () -> fragment.retry(retry(name, retry)));
			}
		}));
		properties.getCerts()
			.forEach((name, cert) -> entry(property("certs", name),
					(property) -> attempt(property, () -> fragment.certificate(cert(name, cert)))));
		properties.getTrustStores()
			.forEach((name, certs) -> entry(property("trust-stores", name),
					(property) -> attempt(property, () -> fragment.trustStore(new TrustStore(name, certs)))));
		properties.getAuth().forEach((name, auth) -> entry(property("auth", name), (property) -> {
			if (checked(property + ".blob", () -> new AuthScheme(name, "", null, auth.getBlob()))) {
				attempt(property, () -> fragment.auth(auth(name, auth)));
			}
		}));
		if (!properties.getMetrics().isEmpty()) {
			List<MetricsPolicy> metrics = new ArrayList<>();
			properties.getMetrics().forEach((name, policy) -> {
				String property = property("metrics", name);
				if (metricsValues(property, name, policy)) {
					attempt(property, () -> metrics.add(metrics(name, policy)));
				}
			});
			fragment.metrics(metrics);
		}
		properties.getStreamtypes().forEach((name, type) -> streamType(fragment.streamType(name), type));
		return fragment;
	}

	/**
	 * Returns the problems found by {@link #map}.
	 * @return the problems, each named after its property
	 */
	List<PolicyProblem> problems() {
		return this.problems;
	}

	/**
	 * Returns the entries of the policy sections that were left out for a problem of theirs.
	 * @return their properties, for example {@code secure-streams.policy.retry.quick}
	 */
	Set<String> refusedEntries() {
		return Collections.unmodifiableSet(this.refused);
	}

	// Maps one section entry; one that got a problem is remembered as refused, so that the names
	// of it elsewhere are not reported again as naming nothing.
	private void entry(String property, Consumer<String> mapping) {
		int before = this.problems.size();
		mapping.accept(property);
		if (this.problems.size() > before) {
			this.refused.add(property);
		}
	}

	/**
	 * Returns the property name of an entry of a policy section.
	 * @param section the section property, for example {@code streamtypes}
	 * @param name the entry name
	 * @return for example {@code secure-streams.policy.streamtypes.mintest}, or with brackets
	 * for a name that needs them, {@code secure-streams.policy.streamtypes[fetch_policy]}
	 */
	static String property(String section, String name) {
		boolean plain = !name.isEmpty() && name.chars()
			.allMatch((c) -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') && name.charAt(0) != '-';
		return PREFIX + "." + section + (plain ? "." + name : "[" + name + "]");
	}

	private void streamType(StreamTypePolicy.Builder builder, StreamType type) {
		PropertyMapper map = PropertyMapper.get();
		StreamTypePropertyBindings.BINDINGS.forEach((key, getter) -> {
			String property = property("streamtypes", builder.name()) + "."
					+ StreamTypePropertyBindings.propertyName(key);
			// Converted inside attempt: making metadata and response-map entries checks them.
			map.from(() -> getter.apply(type)).to((raw) -> {
				if (raw instanceof Map<?, ?> entries && !entriesValues(property, key, entries)) {
					return;
				}
				attempt(property, () -> {
					Object value = StreamTypePropertyBindings.toPolicyValue(key, raw);
					if (value != null) {
						builder.set(key, value);
					}
				});
			});
		});
	}

	// Each entry of a map (metadata, http-resp-map, options) is checked alone, as the values of a
	// retry entry are, so that its problem is located at its own line of application.yml, not at
	// the map's first entry.
	private boolean entriesValues(String property, StreamTypeKey key, Map<?, ?> entries) {
		boolean valid = true;
		for (Map.Entry<?, ?> entry : entries.entrySet()) {
			Map<?, ?> alone = Collections.singletonMap(entry.getKey(), entry.getValue());
			valid &= checked(element(property, String.valueOf(entry.getKey())),
					() -> key.check(Objects.requireNonNull(StreamTypePropertyBindings.toPolicyValue(key, alone))));
		}
		return valid;
	}

	// The property of one element of a list or map; a key Spring could not have bound in brackets
	// is left at the list or map itself.
	private static String element(String property, String key) {
		return (key.isEmpty() || key.contains("[") || key.contains("]")) ? property
				: property + "[" + key + "]";
	}

	// The model says what is wrong with an entry, not which of its values: each value is checked
	// alone (the others neutral) so that its problem is located at its own property, not at the
	// first property the entry sets, on another line of application.yml.
	private boolean retryValues(String property, String name, Retry retry) {
		return backoffValues(property + ".backoff", name, retry.getBackoff())
				& checked(property + ".conceal",
						() -> new RetryPolicy(name, List.of(), orZero(retry.getConceal()), null, 0, 0))
				& checked(property + ".jitter", () -> new RetryPolicy(name, List.of(), 0, retry.getJitter(), 0, 0))
				& checked(property + ".valid-ping",
						() -> new RetryPolicy(name, List.of(), 0, null, seconds(retry.getValidPing()), 0))
				& checked(property + ".valid-hangup",
						() -> new RetryPolicy(name, List.of(), 0, null, 0, seconds(retry.getValidHangup())));
	}

	// Each delay alone, so that a bad one is located at its own element of the list.
	private boolean backoffValues(String property, String name, List<Duration> backoff) {
		boolean valid = true;
		for (int i = 0; i < backoff.size(); i++) {
			Duration delay = backoff.get(i);
			valid &= checked(element(property, Integer.toString(i)),
					() -> new RetryPolicy(name, List.of(millis(delay)), 0, null, 0, 0));
		}
		return valid && checked(property, () -> new RetryPolicy(name, millis(backoff), 0, null, 0, 0));
	}

	private boolean metricsValues(String property, String name, Metrics metrics) {
		return checked(property + ".schedule",
				() -> new MetricsPolicy(name, micros(metrics.getSchedule()), 0, 0, null))
				& checked(property + ".halflife",
						() -> new MetricsPolicy(name, 0, micros(metrics.getHalflife()), 0, null))
				& checked(property + ".min-outlier",
						() -> new MetricsPolicy(name, 0, 0, metrics.getMinOutlier(), null));
	}

	private boolean checked(String property, Action check) {
		int before = this.problems.size();
		attempt(property, check);
		return this.problems.size() == before;
	}

	private static List<Integer> millis(Retry retry) {
		return millis(retry.getBackoff());
	}

	private static List<Integer> millis(List<Duration> backoff) {
		return backoff.stream().map(PolicyPropertiesMapper::millis).toList();
	}

	private static RetryPolicy retry(String name, Retry retry) {
		return new RetryPolicy(name, millis(retry), orZero(retry.getConceal()), retry.getJitter(),
				seconds(retry.getValidPing()), seconds(retry.getValidHangup()));
	}

	private PolicyCertificate cert(String name, Cert cert) throws IOException {
		if ((cert.getValue() == null) == (cert.getLocation() == null)) {
			throw new IllegalArgumentException(
					"give exactly one of 'value' (base64 DER) and 'location' (PEM or DER file)");
		}
		if (cert.getValue() != null) {
			byte[] der;
			try {
				der = Base64.getMimeDecoder().decode(cert.getValue());
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("'value' is not base64: " + ex.getMessage());
			}
			return PolicyCertificate.fromDer(name, der);
		}
		Resource location = cert.getLocation();
		byte[] bytes = SecureStreamsPolicyLoader.read(location);
		if (!KeyMaterial.isPem(bytes)) {
			return PolicyCertificate.fromDer(name, bytes);
		}
		List<X509Certificate> certificates;
		try {
			certificates = KeyMaterial.certificates(bytes);
		}
		catch (IllegalArgumentException notCertificate) {
			try {
				return PolicyCertificate.fromDer(name, KeyMaterial.privateKey(bytes).getEncoded());
			}
			catch (IllegalArgumentException notKey) {
				// A damaged certificate is no key either: the key reader's complaint would call
				// a certificate file an unreadable private key.
				throw new String(bytes, StandardCharsets.US_ASCII).contains("CERTIFICATE-----") ? notCertificate
						: notKey;
			}
		}
		if (certificates.size() > 1) {
			// Keeping the first of a CA bundle or chain would drop the rest without a word, and a
			// trust store listing the entry would then miss the CA the user gave.
			throw new IllegalArgumentException(location + " holds " + certificates.size() + " certificates ("
					+ certificates.stream().map((c) -> c.getSubjectX500Principal().getName()).toList()
					+ "); a certs entry is one certificate: give each its own entry and list them in a trust store");
		}
		try {
			return PolicyCertificate.fromDer(name, certificates.get(0).getEncoded());
		}
		catch (CertificateEncodingException ex) {
			throw new IllegalArgumentException("cannot encode the certificate of " + location, ex);
		}
	}

	private static AuthScheme auth(String name, Auth auth) {
		if (auth.getType() == null) {
			throw new IllegalArgumentException("'type' is required, for example sigv4");
		}
		return new AuthScheme(name, auth.getType(), auth.getStreamtype(), auth.getBlob());
	}

	private static MetricsPolicy metrics(String name, Metrics metrics) {
		return new MetricsPolicy(name, micros(metrics.getSchedule()), micros(metrics.getHalflife()),
				metrics.getMinOutlier(), metrics.getReport());
	}

	private void attempt(String property, Action action) {
		try {
			action.run();
		}
		catch (IllegalArgumentException | IllegalStateException | ArithmeticException ex) {
			this.problems.add(this.locator.problem(property, String.valueOf(ex.getMessage())));
		}
		catch (IOException ex) {
			this.problems.add(this.locator.problem(property, "cannot read: " + ex.getMessage()));
		}
	}

	// libwebsockets' valid_ping and valid_hangup are whole seconds: cutting 500ms to 0 would turn
	// the check off without a word, and rounding would check at a time nobody asked for.
	private boolean wholeSeconds(String property, @Nullable Duration duration) {
		if (duration == null || duration.getNano() == 0) {
			return true;
		}
		String given = (duration.getNano() % 1_000_000 == 0) ? duration.toMillis() + "ms" : duration.toString();
		this.problems.add(this.locator.problem(property, given + " is not a whole number of seconds; the policy "
				+ "keeps this time in seconds (for example 1s or 30s)"));
		return false;
	}

	private static int millis(Duration duration) {
		return Math.toIntExact(StreamTypePropertyBindings.wholeMillis(duration));
	}

	private static int seconds(@Nullable Duration duration) {
		return (duration != null) ? Math.toIntExact(duration.toSeconds()) : 0;
	}

	private static long micros(Duration duration) {
		return duration.toNanos() / 1000;
	}

	private static int orZero(@Nullable Integer value) {
		return (value != null) ? value : 0;
	}

	/** A mapping step that may fail. */
	@FunctionalInterface
	private interface Action {

		void run() throws IOException;

	}

}
