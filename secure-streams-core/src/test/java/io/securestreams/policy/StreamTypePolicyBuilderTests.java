package io.securestreams.policy;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link StreamTypePolicy.Builder#build()} keeps the policy it built until a key changes.
 */
class StreamTypePolicyBuilderTests {

	@Test
	void buildingTwiceWithoutChangesGivesTheSameInstance() {
		StreamTypePolicy.Builder builder = StreamTypePolicy.builder("st").set(StreamTypeKey.PORT, 443);
		assertThat(builder.build()).isSameAs(builder.build());
	}

	@Test
	void settingOrResettingAKeyAfterABuildIsSeenByTheNextBuild() {
		StreamTypePolicy.Builder builder = StreamTypePolicy.builder("st").set(StreamTypeKey.PORT, 443);
		StreamTypePolicy first = builder.build();
		assertThat(builder.set(StreamTypeKey.PORT, 8443).build().port()).isEqualTo(8443);
		assertThat(builder.set(StreamTypeKey.PORT, null).build().port()).isZero();
		assertThat(first.port()).isEqualTo(443);
	}

	@Test
	void applyingAnOverlayAfterABuildIsSeenByTheNextBuild() {
		StreamTypePolicy.Builder builder = StreamTypePolicy.builder("st").set(StreamTypeKey.ENDPOINT, "a.example");
		builder.build();
		StreamTypePolicy.Builder overlay = StreamTypePolicy.builder("st").set(StreamTypeKey.ENDPOINT, null)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("x", "")));
		StreamTypePolicy merged = builder.apply(overlay).build();
		assertThat(merged.endpoint()).isNull();
		assertThat(merged.metadata()).extracting(MetadataDeclaration::name).containsExactly("x");
	}

	@Test
	void aResetOnlyKnownToTheOverlayIsCarriedOver() {
		StreamTypePolicy.Builder base = StreamTypePolicy.builder("st").set(StreamTypeKey.TLS, true);
		StreamTypePolicy.Builder overlay = StreamTypePolicy.builder("st").set(StreamTypeKey.TLS, null);
		StreamTypePolicy.Builder merged = StreamTypePolicy.builder("st").apply(base).apply(overlay);
		assertThat(merged.isSet(StreamTypeKey.TLS)).isFalse();
		assertThat(StreamTypePolicy.builder("st").set(StreamTypeKey.TLS, true).apply(merged).build().tls().enabled())
			.isFalse();
	}

}
