package io.securestreams.metadata;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.TestPolicies;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The metadata store: declared names, raw header names with {@code direct_proto_str}, header-safe
 * values, and the peer's headers kept apart, joined and replaced as a whole.
 */
class MetadataValuesTests {

	private static StreamTypePolicy policy(boolean direct) {
		return TestPolicies.with("s", (b) -> TestPolicies.h1(b, "127.0.0.1", 1, "GET", "/")
			.set(StreamTypeKey.DIRECT_PROTO_STR, direct)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("ctype", "content-type:"),
					new MetadataDeclaration("region", "")))).streamType("s");
	}

	private static List<Map.Entry<CharSequence, CharSequence>> headers(String... nameValues) {
		List<Map.Entry<CharSequence, CharSequence>> list = new ArrayList<>();
		for (int i = 0; i < nameValues.length; i += 2) {
			list.add(new SimpleEntry<>(nameValues[i], nameValues[i + 1]));
		}
		return list;
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	@Test
	void rawHeaderNamesMustBeTokensWithTheirColon() {
		MetadataValues values = new MetadataValues(policy(true));
		values.set("X-Custom:", utf8("abc"));
		assertThat(values.text("X-Custom:")).isEqualTo("abc");
		for (String bad : List.of("bad name:", ":", "x(y):", "no-colon")) {
			assertThatIllegalArgumentException().isThrownBy(() -> values.set(bad, utf8("v")))
				.withMessageContaining("does not declare metadata '" + bad + "'");
		}
		assertThat(values.isAllowed("bad name:")).isFalse();
	}

	@Test
	void valuesThatBecomeHeadersMayNotContainControlCharacters() {
		MetadataValues values = new MetadataValues(policy(true));
		assertThatIllegalArgumentException().isThrownBy(() -> values.set("x-custom:", utf8("a\r\nx-injected: 1")))
			.withMessageContaining("must not contain control characters")
			.withMessageContaining("byte 1 is 0xd");
		assertThatIllegalArgumentException().isThrownBy(() -> values.set("ctype", utf8("text/plain\n")));
		values.set("ctype", utf8("text/plain;\tcharset=utf-8"));
		// A name that maps to no header may hold any bytes.
		values.set("region", new byte[] { 0, 10, 13 });
		assertThat(values.bytes("region")).containsExactly(0, 10, 13);
	}

	@Test
	void thePeersHeadersAreReadableInAnyCaseButNeverAmongTheValuesToSend() {
		MetadataValues values = new MetadataValues(policy(true));
		values.set("x-custom:", utf8("mine"));
		values.setReceivedHeaders(headers("X-Reply", "r1", ":status", "200", "x-custom", "theirs"));
		assertThat(values.text("x-reply:")).isEqualTo("r1");
		assertThat(values.text("X-REPLY:")).isEqualTo("r1");
		assertThat(values.text(":status:")).isNull();
		// Reading a raw name gives the peer's header; what may be sent stays the application's.
		assertThat(values.text("x-custom:")).isEqualTo("theirs");
		assertThat(values.ownValue("x-custom:")).isEqualTo(utf8("mine"));
		assertThat(values.snapshot()).containsOnlyKeys("x-custom:");
		values.setReceivedHeaders(headers("other", "o"));
		assertThat(values.text("x-reply:")).isNull();
		assertThat(values.text("x-custom:")).isEqualTo("mine");
	}

	@Test
	void withoutDirectProtoStrThePeersHeadersAreNotKept() {
		MetadataValues values = new MetadataValues(policy(false));
		values.setReceivedHeaders(headers("x-reply", "r1"));
		assertThat(values.text("x-reply:")).isNull();
	}

	@Test
	void repeatedHeadersAreJoinedAsHttpDefines() {
		MetadataValues values = new MetadataValues(policy(true));
		// h2 clients send cookie crumbs as separate fields (RFC 9113 section 8.2.3).
		values.setReceivedHeaders(headers("cookie", "a=1", "Cookie", "b=2", "accept", "text/html", "accept",
				"application/json"));
		assertThat(values.text("cookie:")).isEqualTo("a=1; b=2");
		assertThat(values.text("accept:")).isEqualTo("text/html, application/json");
	}

	@Test
	void aReaderOnAnotherThreadNeverSeesAHeaderBothResponsesCarryVanish() throws Exception {
		MetadataValues values = new MetadataValues(policy(true));
		List<Map.Entry<CharSequence, CharSequence>> response = headers("content-type", "text/plain", "a", "1", "b",
				"2", "c", "3", "d", "4");
		values.setReceivedHeaders(response);
		AtomicBoolean stop = new AtomicBoolean();
		Thread replacer = new Thread(() -> {
			while (!stop.get()) {
				values.setReceivedHeaders(response);
			}
		});
		replacer.start();
		AtomicInteger missing = new AtomicInteger();
		try {
			for (int i = 0; i < 200_000; i++) {
				if (values.text("content-type:") == null) {
					missing.incrementAndGet();
				}
			}
		}
		finally {
			stop.set(true);
			replacer.join();
		}
		assertThat(missing).hasValue(0);
	}

}
