package io.securestreams.policy.json;

import io.securestreams.policy.StreamTypeKey;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LocationMap}: streamtype keys are found by logical path, with document paths formatted
 * from the recorded segments.
 */
class LocationMapTests {

	@Test
	void streamTypeKeysAndWholeStreamTypesAreLocated() {
		LocationMap map = new LocationMap();
		LocationMap.StreamTypeLocations locations = map.streamType("st.a", path("s", 2, "st.a"), 10, 3);
		locations.put(StreamTypeKey.PORT, 12, 5);
		locations.put(StreamTypeKey.RETRY, 13, 6);
		assertThat(map.find("s.st.a.port")).isEqualTo(new LocationMap.Located("s[2].st.a.port", 12, 5));
		assertThat(map.find("s.st.a")).isEqualTo(new LocationMap.Located("s[2].st.a", 10, 3));
		assertThat(map.find("s.st.a.endpoint")).isNull();
		assertThat(map.find("s.other.port")).isNull();
		assertThat(locations.documentPath()).isEqualTo("s[2].st.a");
	}

	@Test
	void theLastPositionOfAKeyWinsAndTheFirstRecordOfANameIsFound() {
		LocationMap map = new LocationMap();
		LocationMap.StreamTypeLocations first = map.streamType("st", path("s", 0, "st"), 1, 1);
		for (int i = 0; i < 20; i++) {
			first.put(StreamTypeKey.values()[i], 2 + i, 1);
		}
		first.put(StreamTypeKey.PORT, 40, 7);
		assertThat(map.find("s.st.port")).isEqualTo(new LocationMap.Located("s[0].st.port", 40, 7));
		map.streamType("st", path("s", 1, "st"), 50, 1).put(StreamTypeKey.PORT, 51, 1);
		assertThat(map.find("s.st.port")).isEqualTo(new LocationMap.Located("s[0].st.port", 40, 7));
		map.put("retry.r1", "retry[0].r1", 3, 4);
		assertThat(map.find("retry.r1")).isEqualTo(new LocationMap.Located("retry[0].r1", 3, 4));
	}

	static PathStack path(Object... segments) {
		PathStack path = new PathStack();
		for (Object segment : segments) {
			if (segment instanceof Integer index) {
				path.pushIndex(index);
			}
			else {
				path.pushName((String) segment);
			}
		}
		return path;
	}

}
