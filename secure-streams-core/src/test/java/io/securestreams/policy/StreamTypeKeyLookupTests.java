package io.securestreams.policy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link StreamTypeKey#fromJsonName(String)} finds every key by its name and nothing else.
 */
class StreamTypeKeyLookupTests {

	@Test
	void everyKeyIsFoundByItsJsonName() {
		for (StreamTypeKey key : StreamTypeKey.values()) {
			assertThat(StreamTypeKey.fromJsonName(new String(key.jsonName()))).isSameAs(key);
		}
	}

	@Test
	void otherNamesAreNotKeys() {
		for (StreamTypeKey key : StreamTypeKey.values()) {
			assertThat(StreamTypeKey.fromJsonName(key.jsonName() + "x")).isNull();
			assertThat(StreamTypeKey.fromJsonName(key.jsonName().toUpperCase())).isNull();
			assertThat(StreamTypeKey.fromJsonName(key.jsonName().substring(1))).isNull();
		}
		assertThat(StreamTypeKey.fromJsonName("")).isNull();
		assertThat(StreamTypeKey.fromJsonName("http_multipart_content_type")).isNull();
	}

}
