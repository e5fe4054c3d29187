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

	@Test
	void settingsLeftAtTheirDefaultsAreSharedAndEqualToBuiltOnes() {
		StreamTypePolicy plain = StreamTypePolicy.builder("a").build();
		StreamTypePolicy other = StreamTypePolicy.builder("b").set(StreamTypeKey.WS_BINARY, true).build();
		assertThat(other.http()).isSameAs(plain.http());
		assertThat(other.mqtt()).isSameAs(plain.mqtt());
		assertThat(other.ws()).isNotSameAs(plain.ws());
		assertThat(other.ws().binary()).isTrue();
		assertThat(plain.ws()).isEqualTo(new WsSettings(null, false, false));
		assertThat(plain.buffers()).isEqualTo(new BufferSettings(0, 0, 0, 0, 0, 0));
	}

	@Test
	void aWillKeyAloneGivesItsOwnMqttSettingsWithADefaultBirth() {
		StreamTypePolicy plain = StreamTypePolicy.builder("a").build();
		StreamTypePolicy will = StreamTypePolicy.builder("b").set(StreamTypeKey.MQTT_WILL_QOS, 1).build();
		assertThat(will.mqtt().will().qos()).isEqualTo(1);
		assertThat(will.mqtt().birth()).isSameAs(plain.mqtt().birth());
		assertThat(will.mqtt().topic()).isNull();
	}

}
