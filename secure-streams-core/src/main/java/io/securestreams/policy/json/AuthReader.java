package io.securestreams.policy.json;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.securestreams.policy.AuthScheme;
import io.securestreams.policy.MetricsPolicy;
import io.securestreams.policy.PolicyValidator;
import io.securestreams.policy.json.LocationMap.Located;
import io.securestreams.policy.json.ReferenceTracker.Section;

/**
 * Reads the {@code auth} section ({@code [{"name", "type", "streamtype", "blob"}]}) and the
 * {@code metrics} section ({@code [{"name", "us_schedule", "us_halflife", "min_outlier",
 * "report"}]}), both arrays of flat objects.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class AuthReader {

	/** Every key of an auth entry. */
	static final List<String> AUTH_KEYS = List.of("name", "type", "streamtype", "blob");

	/** Every key of a metrics entry. */
	static final List<String> METRICS_KEYS = List.of("name", "us_schedule", "us_halflife", "min_outlier", "report");

	private AuthReader() {
	}

	static void readAuth(ReadContext context) {
		readEntries(context, "auth scheme", AUTH_KEYS, (entry) -> {
			String name = entry.string("name", "an auth scheme name", true);
			String type = entry.string("type", "an auth type such as sigv4", true);
			String streamType = entry.string("streamtype", "the name of the streamtype that refreshes the token",
					false);
			int blob = (int) entry.integral("blob", AuthScheme.MAX_BLOB);
			if (name == null || !define(context, Section.AUTH, name, entry)) {
				return;
			}
			if (entry.hasErrors() || type == null) {
				context.references.invalid(Section.AUTH, name);
				return;
			}
			entry.locate("streamtype", "auth." + name + ".streamtype");
			context.fragment.auth(new AuthScheme(name, type, streamType, blob));
		});
	}

	static void readMetrics(ReadContext context) {
		List<MetricsPolicy> metrics = new ArrayList<>();
		readEntries(context, "metrics policy", METRICS_KEYS, (entry) -> {
			String name = entry.string("name", "a metrics policy name", true);
			long schedule = entry.integral("us_schedule", Long.MAX_VALUE);
			long halflife = entry.integral("us_halflife", Long.MAX_VALUE);
			long minOutlier = entry.integral("min_outlier", Long.MAX_VALUE);
			String report = entry.string("report", "the name of the streamtype that sends the report", false);
			if (name != null && define(context, Section.METRICS, name, entry) && !entry.hasErrors()) {
				entry.locate("report", PolicyValidator.metricsReportPath(name));
				metrics.add(new MetricsPolicy(name, schedule, halflife, minOutlier, report));
			}
		});
		context.fragment.metrics(metrics);
	}

	private static boolean define(ReadContext context, Section section, String name, FlatObject entry) {
		Located where = entry.located("name");
		return context.define(section, name, where.line(), where.column(), where.path());
	}

	private static void readEntries(ReadContext context, String what, List<String> keys, Consumer<FlatObject> reader) {
		JsonCursor cursor = context.cursor;
		if (!cursor.isArray()) {
			cursor.unexpected("an array of " + what + " objects");
			return;
		}
		cursor.elements((index) -> {
			if (!cursor.isObject()) {
				cursor.unexpected("a " + what + " object with " + String.join(", ", keys));
				return;
			}
			reader.accept(FlatObject.read(context, what, keys));
		});
	}

}
