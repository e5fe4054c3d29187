package io.securestreams.policy.overlay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.json.PolicyFixtures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PolicyOverlaysTests {

	private static final Policy STATIC = PolicyFixtures
		.parse("secure-streams__minimal-secure-streams-staticpolicy__static-policy.json");

	private static final Policy SIGV4 = PolicyFixtures
		.parse("secure-streams__minimal-secure-streams-sigv4__policy.json");

	private final PolicyOverlays overlays = new PolicyOverlays(STATIC);

	@Test
	void startsAtVersionOneWithTheBase() {
		ActivePolicy current = this.overlays.current();
		assertThat(current.version()).isEqualTo(1);
		assertThat(current.policy()).isSameAs(STATIC);
		assertThat(current.base()).isSameAs(STATIC);
		assertThat(current.overlaySources()).isEmpty();
		assertThat(current.hash()).matches("sha256:[0-9a-f]{64}").isEqualTo(ActivePolicy.hash(STATIC));
	}

	@Test
	void readmeOverlayChangesOnlyTheKeysItSets() {
		ActivePolicy active = this.overlays.applyOverlay("force-portal", "{ \"s\": [{ \"captive_portal_detect\": {"
				+ "\"endpoint\": \"google.com\", \"http_url\": \"/\", \"port\": 80 }}]}");
		StreamTypePolicy cpd = active.policy().streamType("captive_portal_detect");
		assertThat(cpd.endpoint()).isEqualTo("google.com");
		assertThat(cpd.http().url()).isEqualTo("/");
		assertThat(cpd.http().expect()).isEqualTo(204);
		assertThat(cpd.http().failRedirect()).isTrue();
		assertThat(active.policy().streamType("mintest")).isEqualTo(STATIC.streamType("mintest"));
		assertThat(active.version()).isEqualTo(2);
		assertThat(active.hash()).isNotEqualTo(ActivePolicy.hash(STATIC));
		assertThat(active.overlaySources()).containsExactly("force-portal");
		assertThat(active.base()).isSameAs(STATIC);
		assertThat(this.overlays.current()).isSameAs(active);
	}

	@Test
	void booleansCanBeClearedAndSetAgainAndNullResets() {
		this.overlays.applyOverlay("off", "{\"s\": [{\"captive_portal_detect\": {\"opportunistic\": false, "
				+ "\"http_expect\": null}}]}");
		StreamTypePolicy cleared = this.overlays.current().policy().streamType("captive_portal_detect");
		assertThat(cleared.opportunistic()).isFalse();
		assertThat(cleared.http().expect()).isNull();
		this.overlays.applyOverlay("on", "{\"s\": [{\"captive_portal_detect\": {\"opportunistic\": true}}]}");
		assertThat(this.overlays.current().policy().streamType("captive_portal_detect").opportunistic()).isTrue();
		assertThat(this.overlays.current().overlaySources()).containsExactly("off", "on");
		assertThat(this.overlays.current().overlayCount()).isEqualTo(2);
		assertThat(this.overlays.current().version()).isEqualTo(3);
	}

	@Test
	void theHistoryOfOverlayNamesIsBoundedButTheCountIsNot() {
		int applied = ActivePolicy.MAX_OVERLAY_SOURCES * 3 + 5;
		for (int i = 0; i < applied; i++) {
			this.overlays.applyOverlay("o" + i, "{\"s\": [{\"captive_portal_detect\": {\"opportunistic\": "
					+ (i % 2 == 0) + "}}]}");
		}
		ActivePolicy current = this.overlays.current();
		assertThat(current.overlayCount()).isEqualTo(applied);
		assertThat(current.version()).isEqualTo(applied + 1);
		assertThat(current.overlaySources()).hasSize(ActivePolicy.MAX_OVERLAY_SOURCES)
			.startsWith("o" + (applied - ActivePolicy.MAX_OVERLAY_SOURCES))
			.endsWith("o" + (applied - 1));
		assertThat(this.overlays.resetOverlays().overlayCount()).isZero();
	}

	@Test
	void anOverlaysMetadataReplacesTheStreamtypesList() {
		ActivePolicy active = this.overlays.applyOverlay("md", "{\"s\": [{\"mintest\": {\"metadata\": "
				+ "[{\"uptag\": \"X-Upload-Tag:\"}, {\"extra\": \"x-extra:\"}]}}]}");
		assertThat(active.policy().streamType("mintest").metadata()).extracting(MetadataDeclaration::name)
			.containsExactly("uptag", "extra");
		assertThat(STATIC.streamType("mintest").metadata()).extracting(MetadataDeclaration::name)
			.containsExactly("uptag", "ctype", "xctype");
	}

	@Test
	void overlayMayReferToTheBaseAndAddEntries() {
		ActivePolicy active = this.overlays.applyOverlay("add", "{\"retry\": [{\"fast\": {\"backoff\": [10]}}],"
				+ "\"trust_stores\": [{\"name\": \"isrg_only\", \"stack\": [\"isrg_root_x1\"]}],"
				+ "\"auth\": [{\"name\": \"token\", \"type\": \"lwa\", \"streamtype\": \"api_amazon_com_auth\"}],"
				+ "\"s\": [{\"new_type\": {\"endpoint\": \"example.com\", \"port\": 443, \"tls\": true, "
				+ "\"retry\": \"default\","
				+ "\"tls_trust_store\": \"le_via_isrg\"}, \"other\": {\"retry\": \"fast\", "
				+ "\"tls_trust_store\": \"isrg_only\","
				+ "\"use_auth\": \"token\"}}]}");
		Policy policy = active.policy();
		assertThat(policy.streamType("new_type").retry()).isEqualTo("default");
		assertThat(policy.streamType("other").useAuth()).isEqualTo("token");
		assertThat(policy.retry()).containsKeys("default", "fast");
		assertThat(policy.trustAnchors("isrg_only")).hasSize(1);
		assertThat(policy.streamTypes()).hasSize(STATIC.streamTypes().size() + 2);
	}

	@Test
	void invalidOverlayChangesNothingAndReportsEveryError() {
		ActivePolicy before = this.overlays.current();
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> this.overlays.applyOverlay("bad", "{\"s\": [{\"mintest\": {\"port\": \"x\",\n"
					+ "\"retry\": \"missing\", \"tls\": 1}}]}"))
			.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
				.containsExactly("bad:1:29: s[0].mintest.port: expected an integer 0..65535, got a string \"x\"",
						"bad:2:10: s[0].mintest.retry: no retry scheme named 'missing' in retry",
						"bad:2:28: s[0].mintest.tls: expected true or false, got 1"));
		assertThat(this.overlays.current()).isSameAs(before);
	}

	@Test
	void overlayLargerThanTheBoundIsRefusedWithItsSize() {
		ActivePolicy before = this.overlays.current();
		String release = "{\"release\": \"big\"}";
		String atTheBound = release + " ".repeat(PolicyOverlays.MAX_OVERLAY_BYTES - release.length());
		// One character more, as a two-byte UTF-8 character: the bound counts bytes, not characters.
		String overBytes = release + " ".repeat(PolicyOverlays.MAX_OVERLAY_BYTES - release.length() - 1) + "\u00e9";
		String overChars = atTheBound + " ";
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> this.overlays.applyOverlay("bytes", overBytes))
			.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
				.containsExactly("bytes: the overlay is 4194305 bytes; at most 4194304 are accepted"));
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> this.overlays.applyOverlay("chars", overChars))
			.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
				.containsExactly("chars: the overlay is at least 4194305 bytes; at most 4194304 are accepted"));
		assertThat(this.overlays.current()).isSameAs(before);
		assertThat(this.overlays.applyOverlay("bound", atTheBound).policy().release()).isEqualTo("big");
	}

	@Test
	void problemOnlyTheBaseHoldsIsReportedAgainstTheBase() {
		PolicyOverlays sigv4 = new PolicyOverlays(SIGV4);
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> sigv4.applyOverlay("md", "{\"s\": [{\"s3PutObj\": {\"metadata\": [{\"x\": \"\"}]}}]}"))
			.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
				.containsExactly("<base policy>: s.s3PutObj.aws_region: 'region' is not a metadata name declared by "
						+ "streamtype 's3PutObj'",
						"<base policy>: s.s3PutObj.aws_service: 'service' is not a metadata name "
								+ "declared by streamtype 's3PutObj'"));
	}

	@Test
	void forwardReferenceInsideAnOverlayIsAnError() {
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> this.overlays.applyOverlay("fwd", "{\"s\": [{\"mintest\": {\"retry\": \"late\"}}],\n"
					+ "\"retry\": [{\"late\": {}}]}"))
			.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
				.containsExactly("fwd:1:30: s[0].mintest.retry: retry scheme 'late' is defined later, at line 2; "
						+ "retry, certs, trust_stores and auth must come before the streamtypes that use them"));
	}

	@Test
	void resetGoesBackToTheBase() {
		this.overlays.applyOverlay("a", "{\"s\": [{\"mintest\": {\"port\": 1}}]}");
		ActivePolicy reset = this.overlays.resetOverlays();
		assertThat(reset.version()).isEqualTo(3);
		assertThat(reset.policy()).isEqualTo(STATIC);
		assertThat(reset.hash()).isEqualTo(ActivePolicy.hash(STATIC));
		assertThat(reset.overlaySources()).isEmpty();
	}

	@Test
	void replaceBaseDropsOverlays() {
		this.overlays.applyOverlay("a", "{\"s\": [{\"mintest\": {\"port\": 1}}]}");
		ActivePolicy replaced = this.overlays.replaceBase(SIGV4);
		assertThat(replaced.version()).isEqualTo(3);
		assertThat(replaced.policy()).isSameAs(SIGV4);
		assertThat(replaced.base()).isSameAs(SIGV4);
		assertThat(replaced.overlaySources()).isEmpty();
		assertThat(this.overlays.resetOverlays().policy()).isSameAs(SIGV4);
	}

	@Test
	void invalidNewBaseIsRejected() {
		Policy broken = STATIC.toFragment()
			.trustStore(new io.securestreams.policy.TrustStore("x", List.of("nope")))
			.build();
		ActivePolicy before = this.overlays.current();
		assertThatExceptionOfType(PolicyException.class).isThrownBy(() -> this.overlays.replaceBase(broken))
			.withMessageContaining("trust_stores.x.stack[0]: no entry named 'nope' in certs");
		assertThat(this.overlays.current()).isSameAs(before);
	}

	@Test
	void concurrentOverlaysAreEachApplied() throws Exception {
		int count = 16;
		ExecutorService executor = Executors.newFixedThreadPool(4);
		try {
			List<Future<ActivePolicy>> results = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				String json = "{\"s\": [{\"t" + i + "\": {\"endpoint\": \"e" + i + "\"}}]}";
				String source = "o" + i;
				results.add(executor.submit(() -> this.overlays.applyOverlay(source, json)));
			}
			List<Long> versions = new ArrayList<>();
			for (Future<ActivePolicy> result : results) {
				versions.add(result.get().version());
			}
			assertThat(versions).doesNotHaveDuplicates().allMatch((version) -> version >= 2 && version <= count + 1);
		}
		finally {
			executor.shutdownNow();
		}
		ActivePolicy current = this.overlays.current();
		assertThat(current.version()).isEqualTo(count + 1);
		assertThat(current.overlaySources()).hasSize(count);
		assertThat(current.overlayCount()).isEqualTo(count);
		assertThat(current.policy().streamTypes()).hasSize(STATIC.streamTypes().size() + count);
	}

}
